/* reasm_harness: the recorder shared by the reassembly unit tests
 * (test_reasm.c, test_reasm_grace.c, test_reasm_holes.c): it logs every
 * callback as "D:<bytes>|G:<n>|..." (adjacent data merged) so each case can
 * assert the exact callback sequence. Spec: src/reasm.h. */
#ifndef SMBSCOPE_REASM_HARNESS_H
#define SMBSCOPE_REASM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reasm.h"

#define ISN 1000u

struct rec {
    char log[4096];
    size_t len;
    bool last_data;
    char anomalies[1024];
    int nanom;
    struct half_stats st;
    struct reasm r;
};

/* the callbacks that write into a struct rec */
extern const struct reasm_sink SINK;

void rec_init_policy(struct rec *c, struct reasm_pool *pool, size_t hole_cap, enum overlap_policy pol);
/* rec_init_policy with the default overlap policy */
void rec_init(struct rec *c, struct reasm_pool *pool, size_t hole_cap);
/* a fresh pool and one direction's reassembler on it */
void rec_start(struct rec *c, struct reasm_pool *pool, size_t pool_cap, size_t hole_cap);
/* free it: everything it held goes back to the pool */
void rec_end(struct rec *c, struct reasm_pool *pool);
/* text segment at offset off from isn+1 */
void seg(struct rec *c, uint32_t isn, uint32_t off, const char *s);

#endif
