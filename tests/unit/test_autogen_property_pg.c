/*
 * test_autogen_property_pg.c - autogenerate's property test on PostgreSQL
 * (the server of the CTest fixture pg/start): random schema pairs
 * A -> B -> A keep the schema and the rows (see autogen_property.h).
 */
#define PROP_PG 1
#include "autogen_property.h"
