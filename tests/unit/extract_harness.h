/* extract_harness: test scaffolding for --extract (src/files/extract.h): a
 * fresh directory with an extractor and a file pool ("world"), file instances
 * driven through the file tracker and finished the way smb1_state.c does, and
 * readers for what ended up under the directory (content, sidecars, counts).
 * Spec: the contract block in src/files/extract.h. */
#ifndef SMBSCOPE_EXTRACT_HARNESS_H
#define SMBSCOPE_EXTRACT_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "extract.h"
#include "files.h"
#include "files_harness.h" /* make_buf, sha256_hex, SHA256_EMPTY */

/* one test's world: a fresh directory, an extractor, a pool, the anomalies */
struct world {
    char dir[64];
    struct limits lim;
    struct emitter em;
    struct extractor *x;
    struct file_pool pool;
    struct conn_ref conn;
    char anomalies[8][64];
    size_t n_anomalies;
};

void world_init(struct world *w, struct limits lim);
/* closes the extractor and removes the directory */
void world_free(struct world *w);

/* one file instance and what its finish produced */
struct xfile {
    struct file_track *f;
    struct event e;
    struct file_result r;
};

/* a new instance in w's pool; size < 0: no size set (unknown) */
void xf_new(struct world *w, struct xfile *x, int64_t size);
/* finish it the way smb1_state.c does: file_finish, the `file` record (with
 * a hostile name: never used as a path), file_extract */
void xf_finish(struct world *w, struct xfile *x, uint64_t fid, uint64_t instance);
/* frees the record, the result and the tracker (xf_finish must have run) */
void xf_free(struct xfile *x);

/* a string field of e (asserted present); NULL when it is null */
const char *ev_s(const struct event *e, const char *name);

/* the whole file DIR/rel, or NULL when absent (caller frees) */
uint8_t *slurp(const struct world *w, const char *rel, size_t *n);
/* DIR/rel, asserted present and exactly want_n bytes long (caller frees) */
uint8_t *slurp_n(const struct world *w, const char *rel, size_t want_n);
/* regular files under DIR/sub (recursive) */
size_t count_files(const struct world *w, const char *sub);

/* partial/<token>-<instance> for w's connection */
void partial_name(const struct world *w, uint64_t instance, char *rel, size_t cap);
/* e's `extracted` is that partial name (written to rel) */
void assert_partial(const struct world *w, const struct event *e, uint64_t instance, char *rel, size_t cap);
/* a complete file: under sha256/xx/<hash>, content exact, its line = the record line */
void assert_complete(const struct world *w, const struct event *e, const uint8_t *want, size_t n);

/* the parsed sidecar of rel (asserted present and valid JSON; caller decrefs) */
json_t *sidecar(const struct world *w, const char *rel);
/* a is an array of exactly the n ranges want */
void assert_ranges(json_t *a, const uint64_t (*want)[2], size_t n);
/* r is the one range [a, b) */
void assert_range(json_t *r, uint64_t a, uint64_t b);

#endif
