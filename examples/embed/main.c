/*
 * shopbot-start - the shop bot's start-up in C: open the database, bring
 * it to the head with the migrations compiled into the program (`retort
 * embed`, no migration files at run time), then use it.
 *
 *     shopbot-start [DATABASE_FILE]      (default: data.db)
 *
 * The migrations run on the program's own SQLite connection, which it
 * keeps using afterwards.  Exit status 1 when the database cannot be
 * brought to the head; it is then where retort's message says.
 */
#include <stdio.h>
#include <sqlite3.h>
#include <retort.h>

/* shop_migrations.c, written by `retort embed --name shop_migrations` */
extern const retort_files shop_migrations;

static void progress(const retort_event *ev, void *payload)
{
	(void)payload;
	if (ev->type == RETORT_EVENT_DONE)
		printf("migrated %s -> %s in %.1f ms\n", *ev->from ? ev->from : "base", ev->to,
		       ev->elapsed_ms);
	else if (ev->type == RETORT_EVENT_NOTHING)
		printf("the database is up to date\n");
}

/* Bring the database of `db` to the head of the compiled-in migrations. */
static int migrate(sqlite3 *db)
{
	/* as the project's retort.ini says, so that the command line and
	 * this program keep the same version table */
	static const retort_setting settings[] = {
		{ NULL, "version_table", "retort_version" },
		{ NULL, "lock_timeout", "30" },
	};
	retort_options opts = RETORT_OPTIONS_INIT;
	retort_run_options run = RETORT_RUN_OPTIONS_INIT;
	retort_source source;
	retort *ctx;
	int rc;

	retort_source_files(&source, &shop_migrations);
	opts.no_config = 1;
	opts.settings = settings;
	opts.nsettings = sizeof(settings) / sizeof(settings[0]);
	opts.source = &source;
	run.on_event = progress;
	if (retort_new(&ctx) < 0) {
		fprintf(stderr, "shopbot-start: out of memory\n");
		return -1;
	}
	if ((rc = retort_open(ctx, &opts)) >= 0 &&
	    (rc = retort_use_connection(ctx, "sqlite", db)) >= 0)
		rc = retort_upgrade(ctx, "head", &run);
	if (rc < 0)
		fprintf(stderr, "shopbot-start: cannot migrate the database: %s\n",
			retort_errmsg(ctx));
	retort_free(ctx);
	return rc;
}

/* What the bot does next: make sure its catalogue has a first category. */
static int use(sqlite3 *db)
{
	sqlite3_stmt *st;
	int categories = -1;

	if (sqlite3_exec(db, "INSERT INTO categories (category_name) SELECT 'Misc' "
			 "WHERE NOT EXISTS (SELECT 1 FROM categories)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM categories", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "shopbot-start: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		categories = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	printf("%d categor%s in the catalogue\n", categories, categories == 1 ? "y" : "ies");
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "data.db";
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "shopbot-start: cannot open '%s': %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	rc = migrate(db) < 0 || use(db) < 0;
	sqlite3_close(db);
	return rc;
}
