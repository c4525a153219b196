/*
 * test_autogen_property.c - autogenerate's property test on SQLite: random
 * schema pairs A -> B -> A keep the schema and the rows (see
 * autogen_property.h).
 */
#include "autogen_property.h"
