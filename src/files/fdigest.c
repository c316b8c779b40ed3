/* fdigest: a file's SHA-256, inline or through a hashing thread (see
 * fdigest.h). Spec: FIPS 180-4 through OpenSSL's EVP interface. */
#include "fdigest.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "hashq.h"
#include "str.h"

struct fdigest {
    EVP_MD_CTX *md;
    struct hashq *hq;          /* NULL: inline */
    uint64_t pos;              /* hq: the queue position of md's last update (0: none) */
    bool failed;               /* an update failed (hq: written by its thread, read after the wait) */
};

struct fdigest *fdigest_new(struct hashq *hq, const EVP_MD *sha256)
{
    struct fdigest *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->md = EVP_MD_CTX_new();
    if (!d->md || EVP_DigestInit_ex(d->md, sha256 ? sha256 : EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(d->md);
        free(d);
        return NULL;
    }
    d->hq = hq;
    return d;
}

void fdigest_inline(struct fdigest *d)
{
    if (!d->pos)
        d->hq = NULL;
}

bool fdigest_update(struct fdigest *d, const void *p, size_t n)
{
    if (d->hq) {
        d->pos = hashq_update(d->hq, d->md, &d->failed, p, n);
        return true;
    }
    if (EVP_DigestUpdate(d->md, p, n) != 1)
        d->failed = true;
    return !d->failed;
}

void fdigest_handover(struct fdigest *d)
{
    if (d->pos)
        hashq_publish(d->hq);
}

/* after it, md is this thread's */
static void wait_hashed(struct fdigest *d, bool producer)
{
    if (!d->pos)
        return;
    if (producer)
        hashq_wait(d->hq, d->pos);
    else
        hashq_wait_published(d->hq, d->pos);
    d->pos = 0;
}

bool fdigest_final(struct fdigest *d, char hex[65], bool producer)
{
    wait_hashed(d, producer);
    uint8_t v[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (d->failed || EVP_DigestFinal_ex(d->md, v, &n) != 1 || n != 32) {
        d->failed = true;
        return false;
    }
    str_hex(v, n, hex);
    d->failed = true; /* finished: a second final has nothing to give */
    return true;
}

void fdigest_free(struct fdigest *d, bool producer)
{
    if (!d)
        return;
    wait_hashed(d, producer);
    EVP_MD_CTX_free(d->md);
    free(d);
}
