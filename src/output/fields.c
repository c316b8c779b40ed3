/* fields: the registry's tables, generated from fields.def by X-macros. */
#include "fields.h"

#include "event.h"

#define NOOP_RECORD FIELDS_NOOP_RECORD
#define NOOP_OBJECT FIELDS_NOOP_OBJECT
#define NOOP_VALUES FIELDS_NOOP_VALUES
#define NOOP_PATTERN FIELDS_NOOP_PATTERN
#define NOOP_UMAX FIELDS_NOOP_UMAX
#define NOOP_FIELD FIELDS_NOOP_FIELD
#define NOOP_IN FIELDS_NOOP_IN
#define NOOP_COND FIELDS_NOOP_COND

/* ---- value checks ---- */
static const struct fld_check fc_ANY = {"ANY", NULL, NULL, 0};
#define RECORD NOOP_RECORD
#define OBJECT NOOP_OBJECT
#define FIELD NOOP_FIELD
#define IN NOOP_IN
#define COND NOOP_COND
#define VALUES(check, ...)                                                   \
    static const char *const fv_##check[] = {__VA_ARGS__, NULL};             \
    static const struct fld_check fc_##check = {#check, NULL, fv_##check, 0};
#define PATTERN(check, re) static const struct fld_check fc_##check = {#check, re, NULL, 0};
#define UMAX(check, max) static const struct fld_check fc_##check = {#check, NULL, NULL, max##u};
#include "fields.def"
#undef VALUES
#undef PATTERN
#undef UMAX
#define VALUES NOOP_VALUES
#define PATTERN NOOP_PATTERN
#define UMAX NOOP_UMAX

const struct fld_check fld_check_record_type = {"record_type", NULL, fv_record_type, 0};

/* ---- descriptors ---- */
#define FLD_CHILD_STR(x) -1
#define FLD_CHILD_IP(x) -1
#define FLD_CHILD_TS(x) -1
#define FLD_CHILD_UINT(x) -1
#define FLD_CHILD_INT(x) -1
#define FLD_CHILD_BOOL(x) -1
#define FLD_CHILD_STRV(x) -1
#define FLD_CHILD_RANGES(x) -1
#define FLD_CHILD_OBJ(x) SC_##x
#define FLD_CHILD_MAP(x) -1
#define FLD_CHECK_STR(x) &fc_##x
#define FLD_CHECK_IP(x) &fc_##x
#define FLD_CHECK_TS(x) &fc_##x
#define FLD_CHECK_UINT(x) &fc_##x
#define FLD_CHECK_INT(x) &fc_##x
#define FLD_CHECK_BOOL(x) &fc_##x
#define FLD_CHECK_STRV(x) &fc_##x
#define FLD_CHECK_RANGES(x) &fc_##x
#define FLD_CHECK_OBJ(x) &fc_ANY
#define FLD_CHECK_MAP(x) &fc_##x
#undef FIELD
#define FIELD(cname, json, type, display, x)                                                       \
    const struct FLD_CT_##type fld_##cname = {                                                     \
        {#cname, json, FT_##type, FD_##display, FLD_CHECK_##type(x), FLD_CHILD_##type(x), FI_##cname}};
#include "fields.def"
#undef FIELD

#define FIELD(cname, json, type, display, x) [FI_##cname] = &fld_##cname.d,
const struct fdesc *const fld_all[FI_COUNT] = {
#include "fields.def"
};
#undef FIELD
#define FIELD NOOP_FIELD

/* ---- scopes ---- */
/* each expands to with_conn, conn_absent_when */
#define WITH_CONN 1, FC_ANY
#define NO_CONN 0, FC_ANY
#define WITH_CONN_UNLESS(cond) 1, FC_##cond
#undef RECORD
#undef OBJECT
#define RECORD(scope, ev, conn, doc) [SC_##scope] = {#scope, 1, ev, conn, doc},
#define OBJECT(scope, doc) [SC_##scope] = {#scope, 0, -1, 0, FC_ANY, doc},
const struct fld_scope_info fld_scopes[SC_COUNT] = {
#include "fields.def"
};
#undef RECORD
#undef OBJECT
#define RECORD NOOP_RECORD
#define OBJECT NOOP_OBJECT

static const int record_scope[] = {
#undef RECORD
#define RECORD(scope, ev, conn, doc) [ev] = SC_##scope,
#include "fields.def"
#undef RECORD
#define RECORD NOOP_RECORD
};

int fld_record_scope(int ev_type)
{
    if (ev_type < 0 || (size_t)ev_type >= sizeof record_scope / sizeof record_scope[0])
        return -1;
    return record_scope[ev_type];
}

/* ---- members ---- */
#define R FM_R
#define O 0
#define N FM_N
#define H FM_H
#undef IN
#define IN(scope, cname, flags, when, doc) {SC_##scope, &fld_##cname.d, flags, FC_##when, doc},
const struct fld_member fld_members[] = {
#include "fields.def"
};
#undef IN
const size_t fld_n_members = sizeof fld_members / sizeof fld_members[0];

/* each member's index, by name: a field declared twice in one scope does not compile */
enum {
#define IN(scope, cname, flags, when, doc) MI_##scope##__##cname,
#include "fields.def"
#undef IN
    MI_COUNT
};

/* (scope, field) -> member index + 1; designated initializers keep it O(1) */
static const unsigned short member_ix[SC_COUNT][FI_COUNT] = {
#define IN(scope, cname, flags, when, doc) [SC_##scope][FI_##cname] = MI_##scope##__##cname + 1,
#include "fields.def"
#undef IN
};
#define IN NOOP_IN
#undef R
#undef O
#undef N
#undef H

const struct fld_member *fld_member(int scope, const struct fdesc *d)
{
    if (scope < 0 || scope >= SC_COUNT || !d || d->id < 0 || d->id >= FI_COUNT)
        return NULL;
    unsigned ix = member_ix[scope][d->id];
    return ix ? &fld_members[ix - 1] : NULL;
}

/* ---- conditions ---- */
#undef COND
#define COND(cond, scope, cname, check) [FC_##cond] = {#cond, SC_##scope, &fld_##cname.d, &fc_##check},
const struct fld_cond fld_conds[FC_COUNT > 0 ? FC_COUNT : 1] = {
#include "fields.def"
};

const char *fld_type_name(enum fld_type t)
{
    static const char *const names[] = {[FT_STR] = "string", [FT_IP] = "ip",       [FT_TS] = "timestamp",
                                        [FT_UINT] = "uint",  [FT_INT] = "int",     [FT_BOOL] = "bool",
                                        [FT_STRV] = "string list", [FT_RANGES] = "ranges",
                                        [FT_OBJ] = "object", [FT_MAP] = "map"};
    return names[t];
}
