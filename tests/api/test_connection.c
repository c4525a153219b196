/*
 * test_connection.c - a program that migrates on its own connection
 * (retort_use_connection): an open sqlite3 * and, with the test server,
 * a PGconn *, used and left open and as they were.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>
#ifdef RETORT_WITH_PG
#include <libpq-fe.h>
#endif

#include "retort.h"
#include "api_project.h"

/* The first column of the first row of `sql`, as text ("" for none). */
static void sqlite_value(char *out, size_t size, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Point the project's context at the program's `handle` and upgrade. */
static void upgrade_on(project *p, const char *dialect, void *handle)
{
	must(retort_use_connection(p->ctx, dialect, handle), p->ctx, "retort_use_connection");
	must(retort_upgrade(p->ctx, "head", NULL), p->ctx, "retort_upgrade");
	assert_current(p->ctx, "aaaa0002");
}

static void sqlite_handle(void **state)
{
	project *p = *state;
	char path[128], value[64];
	retort_run_options ro = RETORT_RUN_OPTIONS_INIT;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/own.db", p->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(retort_use_connection(p->ctx, "nosuch", db), RETORT_EUSAGE);
	upgrade_on(p, "sqlite", db);
	/* the program's handle is open and sees the migrated schema */
	sqlite_value(value, sizeof(value), db, "SELECT count(*) FROM sqlite_master "
		     "WHERE name IN ('one', 'two')");
	assert_string_equal(value, "2");
	sqlite_value(value, sizeof(value), db, "SELECT version_num FROM retort_version");
	assert_string_equal(value, "aaaa0002");
	/* the configured URL's database was never touched */
	snprintf(path, sizeof(path), "%s/data.db", p->dir);
	assert_int_equal(access(path, F_OK), -1);
	/* a backup needs a URL: refused, nothing run */
	ro.backup = 1;
	assert_int_equal(retort_downgrade(p->ctx, "base", &ro), RETORT_EUSAGE);
	assert_non_null(strstr(retort_errmsg(p->ctx), "program's own connection"));
	/* so do test (its up/down/up would otherwise run on the program's
	 * database) and autogenerate, which need a URL too */
	{
		retort_test_report report;
		retort_autogen ag;

		assert_int_equal(retort_test(&report, p->ctx, NULL), RETORT_EUSAGE);
		assert_non_null(strstr(retort_errmsg(p->ctx), "program's own connection"));
		retort_test_report_release(&report);
		assert_int_equal(retort_autogenerate(&ag, p->ctx, NULL), RETORT_EUSAGE);
		assert_non_null(strstr(retort_errmsg(p->ctx), "program's own connection"));
		assert_current(p->ctx, "aaaa0002");
	}
	must(retort_downgrade(p->ctx, "base", NULL), p->ctx, "retort_downgrade");
	sqlite_value(value, sizeof(value), db, "SELECT count(*) FROM sqlite_master "
		     "WHERE name IN ('one', 'two')");
	assert_string_equal(value, "0");
	/* back to the URL */
	must(retort_use_connection(p->ctx, NULL, NULL), p->ctx, "retort_use_connection(NULL)");
	must(retort_upgrade(p->ctx, "aaaa0001", NULL), p->ctx, "retort_upgrade on the URL");
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(sqlite3_close(db), SQLITE_OK); /* nothing of retort's left on it */
}

#ifdef RETORT_WITH_PG
static char *server_url(void)
{
	const char *state = getenv("RETORT_PG_STATE");
	char line[1024];
	FILE *f;

	if (!state || !(f = fopen(state, "r")))
		fail_msg("RETORT_PG_STATE names no file (did the pg/start fixture run?)");
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (strrchr(line, '/') > strstr(line, "//") + 1) /* the server, without its database */
		*strrchr(line, '/') = '\0';
	return strdup(line);
}

static void pg_exec(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(res);
}

static void pg_handle(void **state)
{
	project *p = *state;
	char *base = server_url(), url[1200], db[64], sql[128];
	PGconn *admin, *pg;
	PGresult *res;

	snprintf(db, sizeof(db), "retort_api_%ld", (long)getpid());
	snprintf(url, sizeof(url), "%s/postgres", base);
	admin = PQconnectdb(url);
	assert_int_equal(PQstatus(admin), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	pg_exec(admin, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	pg_exec(admin, sql);
	snprintf(url, sizeof(url), "%s/%s", base, db);
	pg = PQconnectdb(url);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	pg_exec(pg, "SET lock_timeout = '7s'");

	upgrade_on(p, "postgresql", pg);
	/* open, out of any transaction, its session as the program set it */
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	assert_int_equal(PQtransactionStatus(pg), PQTRANS_IDLE);
	res = PQexec(pg, "SELECT current_setting('lock_timeout'), "
		     "(SELECT count(*) FROM pg_tables WHERE tablename IN ('one', 'two'))");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), "7s");
	assert_string_equal(PQgetvalue(res, 0, 1), "2");
	PQclear(res);
	must(retort_downgrade(p->ctx, "base", NULL), p->ctx, "retort_downgrade");
	must(retort_use_connection(p->ctx, NULL, NULL), p->ctx, "retort_use_connection(NULL)");

	PQfinish(pg);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
	pg_exec(admin, sql);
	PQfinish(admin);
	free(base);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sqlite_handle, setup, teardown),
#ifdef RETORT_WITH_PG
		cmocka_unit_test_setup_teardown(pg_handle, setup, teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
