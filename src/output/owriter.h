/* owriter: a sink's output written by a thread of its own, in the order it
 * was put, so the parsing thread neither makes write calls nor waits for
 * what only the writer needs (a file's hash, event.h's ev_pending).
 * Spec: none; pthreads(7).
 *
 * Contract (owriter.c implements it; tests/unit/test_owriter.c pins it):
 *
 * - One producer puts bytes (owriter_put), objects (owriter_put_obj) and
 *   images (owriter_put_image: an object the producer writes into the
 *   queue's own memory, so it needs no allocation of its own); the writer
 *   thread writes them to the FILE in exactly that order, an object or
 *   image as the bytes ops->render or ops->render_image give for it on the
 *   writer thread. The output is the same as writing on the spot: only who
 *   writes changes.
 *
 * - Memory is fixed: at most OWRITER_CHUNKS chunks of about
 *   OWRITER_CHUNK_BYTES (a chunk grows past that only to hold one put that
 *   is larger) and OWRITER_CHUNK_OBJS objects and images each; a producer
 *   that finds them all in flight waits for the writer (back-pressure).
 *   What a chunk holds never moves; a full chunk goes to the writer at the
 *   next put (or owriter_close), so the producer may fill the image it was
 *   just given until then.
 *
 * - Before a chunk goes to the writer, ops->handover(obj) runs on the
 *   producer for each of its objects (so the writer can finish them).
 *   ops->render owns obj from then on: it frees it, also after a write
 *   error (every object and image is rendered exactly once; an image is
 *   only read: its memory is the queue's).
 *
 * - The first failed write (or render) is kept: owriter_error gives its
 *   errno (any thread may ask; 0 while none failed); later bytes are not
 *   written. owriter_close writes everything put, stops the thread and frees
 *   the writer (not the FILE, which it leaves unflushed), returning that
 *   errno. The FILE is the writer's alone until then. */
#ifndef SMBSCOPE_OWRITER_H
#define SMBSCOPE_OWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* a chunk is handed to the writer when it holds this much: few enough
 * hand-overs (a lock and maybe a wake-up each), small next to the budget */
#define OWRITER_CHUNK_BYTES (256u << 10)
/* objects per chunk: each may make the writer wait (a file's hash) */
#define OWRITER_CHUNK_OBJS 256
/* chunks in flight: output up to ~1 MiB ahead of the file */
#define OWRITER_CHUNKS 4
/* an image's alignment: any type may be laid out in it */
#define OWRITER_IMAGE_ALIGN _Alignof(max_align_t)

struct owriter_ops {
    /* producer: obj is about to go to the writer thread */
    void (*handover)(void *u, void *obj);
    /* writer thread: the bytes for obj (*p valid until the next call), and
     * free obj; false: out of memory (the write error is ENOMEM) */
    bool (*render)(void *u, void *obj, const char **p, size_t *n);
    /* writer thread: the bytes for an image (which stays the queue's) */
    bool (*render_image)(void *u, void *img, const char **p, size_t *n);
};

struct owriter;

/* start the thread; NULL (errno set) when it cannot be had: write on the spot then */
struct owriter *owriter_new(FILE *out, const struct owriter_ops *ops, void *u);
/* false: out of memory (nothing was put; the error is ENOMEM from now on) */
bool owriter_put(struct owriter *w, const void *p, size_t n);
bool owriter_put_obj(struct owriter *w, void *obj);
/* n bytes (OWRITER_IMAGE_ALIGN) for an image, to fill before the next call
 * on w; NULL: out of memory (as owriter_put) */
void *owriter_put_image(struct owriter *w, size_t n);
/* errno of the first failure, 0 while none */
int owriter_error(struct owriter *w);
/* write what is put, stop, free (NULL is fine: 0); the first failure's errno */
int owriter_close(struct owriter *w);

#endif
