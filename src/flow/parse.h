/* parse: the incremental parse contract between reassembly and dissectors. */
#ifndef SMBSCOPE_PARSE_H
#define SMBSCOPE_PARSE_H

#include <stddef.h>

enum parse_status { PARSE_OK, PARSE_MORE, PARSE_ERROR };

/* consumed <= len always. PARSE_MORE: keep the unconsumed bytes and call again
 * once `needed` more bytes are there. PARSE_ERROR: the bytes at `consumed` are
 * not what the parser expects (the caller resyncs). */
struct parse_result {
    enum parse_status status;
    size_t consumed;
    size_t needed;
};

static inline struct parse_result parse_ok(size_t consumed)
{
    return (struct parse_result){PARSE_OK, consumed, 0};
}
static inline struct parse_result parse_more(size_t consumed, size_t needed)
{
    return (struct parse_result){PARSE_MORE, consumed, needed};
}
static inline struct parse_result parse_error(size_t consumed)
{
    return (struct parse_result){PARSE_ERROR, consumed, 0};
}

#endif
