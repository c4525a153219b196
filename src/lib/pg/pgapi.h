/*
 * pgapi.h - libpq and libpg_query, opened the first time they are needed.
 *
 * Linked in, libpq and the libraries it pulls in (Kerberos, LDAP, GnuTLS
 * and a dozen more) cost every start of retort about 4 ms and 6 MiB, which
 * a SQLite user would pay for nothing.  So both libraries are dlopen()ed:
 * libpq by the first PostgreSQL connection, libpg_query by the first
 * split or lint.  The files that use them include this header instead of
 * <libpq-fe.h> / <pg_query.h>; the macros at the end route each call
 * through the table, so that code still reads as plain libpq.
 */
#ifndef RT_PGAPI_H
#define RT_PGAPI_H

#include <libpq-fe.h>
#include <pg_query.h>

#include "rt.h"

#define RT_PQ_FUNCTIONS(X) \
	X(PQclear) X(PQconnectdbParams) X(PQerrorMessage) X(PQexec) X(PQexecParams) \
	X(PQfinish) X(PQgetisnull) X(PQgetResult) X(PQgetvalue) X(PQnfields) X(PQntuples) \
	X(PQpingParams) \
	X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) \
	X(PQsendQuery) X(PQsetNoticeProcessor) X(PQsocket) X(PQstatus) X(PQtransactionStatus)

#define RT_PG_QUERY_FUNCTIONS(X) \
	X(pg_query_parse) X(pg_query_free_parse_result) X(pg_query_split_with_parser) \
	X(pg_query_split_with_scanner) X(pg_query_free_split_result) \
	X(pg_query_parse_plpgsql) X(pg_query_free_plpgsql_parse_result)

#define RT_PGAPI_SLOT(fn) __typeof__(fn) *fn;
typedef struct { RT_PQ_FUNCTIONS(RT_PGAPI_SLOT) } rt_pq_api;
typedef struct { RT_PG_QUERY_FUNCTIONS(RT_PGAPI_SLOT) } rt_pg_query_api;
#undef RT_PGAPI_SLOT

/* Filled by the _open functions below; read only after one succeeded. */
extern rt_pq_api rt_pq;
extern rt_pg_query_api rt_pg_query;

/* Load the library once per process (thread-safe); 0, or RETORT_ERROR
 * with a message naming the library file and what to install. */
int rt_pq_open(rt_buf *err);
int rt_pg_query_open(rt_buf *err);

#ifndef RT_PGAPI_TABLES
#define PQclear                     (rt_pq.PQclear)
#define PQconnectdbParams           (rt_pq.PQconnectdbParams)
#define PQerrorMessage              (rt_pq.PQerrorMessage)
#define PQexec                      (rt_pq.PQexec)
#define PQexecParams                (rt_pq.PQexecParams)
#define PQfinish                    (rt_pq.PQfinish)
#define PQgetisnull                 (rt_pq.PQgetisnull)
#define PQgetResult                 (rt_pq.PQgetResult)
#define PQgetvalue                  (rt_pq.PQgetvalue)
#define PQnfields                   (rt_pq.PQnfields)
#define PQntuples                   (rt_pq.PQntuples)
#define PQpingParams                (rt_pq.PQpingParams)
#define PQresultErrorField          (rt_pq.PQresultErrorField)
#define PQresultErrorMessage        (rt_pq.PQresultErrorMessage)
#define PQresultStatus              (rt_pq.PQresultStatus)
#define PQsendQuery                 (rt_pq.PQsendQuery)
#define PQsetNoticeProcessor        (rt_pq.PQsetNoticeProcessor)
#define PQsocket                    (rt_pq.PQsocket)
#define PQstatus                    (rt_pq.PQstatus)
#define PQtransactionStatus         (rt_pq.PQtransactionStatus)
#define pg_query_parse              (rt_pg_query.pg_query_parse)
#define pg_query_free_parse_result  (rt_pg_query.pg_query_free_parse_result)
#define pg_query_split_with_parser  (rt_pg_query.pg_query_split_with_parser)
#define pg_query_split_with_scanner (rt_pg_query.pg_query_split_with_scanner)
#define pg_query_free_split_result  (rt_pg_query.pg_query_free_split_result)
#define pg_query_parse_plpgsql      (rt_pg_query.pg_query_parse_plpgsql)
#define pg_query_free_plpgsql_parse_result (rt_pg_query.pg_query_free_plpgsql_parse_result)
#endif

#endif
