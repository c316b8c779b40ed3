/* adhoc_fields: made-up field descriptors for the sink and event unit tests,
 * which exercise every value kind and hostile keys under names no record
 * declares. Only an event marked ev_allow_adhoc() accepts them; the analyzer
 * never does, so everything it writes is in src/output/fields.def. */
#ifndef SMBSCOPE_ADHOC_FIELDS_H
#define SMBSCOPE_ADHOC_FIELDS_H

#include "fields.h"

#define ADHOC_D(kind, ft, disp, nm) (&(const struct fld_t_##kind){{nm, nm, ft, disp, NULL, -1, -1}})
#define A_BOOL(nm) ADHOC_D(bool, FT_BOOL, FD_PLAIN, nm)
#define A_INT(nm) ADHOC_D(int, FT_INT, FD_PLAIN, nm)
#define A_INT_HEX(nm) ADHOC_D(int, FT_INT, FD_HEX, nm)
#define A_UINT(nm) ADHOC_D(uint, FT_UINT, FD_PLAIN, nm)
#define A_HEX(nm) ADHOC_D(uint, FT_UINT, FD_HEX, nm)
#define A_STR(nm) ADHOC_D(str, FT_STR, FD_PLAIN, nm)
#define A_TS(nm) ADHOC_D(ts, FT_TS, FD_PLAIN, nm)
#define A_STRV(nm) ADHOC_D(strv, FT_STRV, FD_PLAIN, nm)
#define A_RANGES(nm) ADHOC_D(ranges, FT_RANGES, FD_PLAIN, nm)
#define A_OBJ(nm) ADHOC_D(obj, FT_OBJ, FD_PLAIN, nm)

#endif
