/* zread: an input file (or standard input) as a FILE* that yields its bytes
 * decompressed when they are gzip, zstd or xz, recognized by magic, never by
 * name. Spec: RFC 1952 (gzip, magic 1f 8b), RFC 8878 (zstd frame, magic
 * 28 b5 2f fd), the .xz file format 1.1.0 (magic fd 37 7a 58 5a 00). */
#ifndef SMBSCOPE_ZREAD_H
#define SMBSCOPE_ZREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum zread_codec { ZREAD_PLAIN, ZREAD_GZIP, ZREAD_ZSTD, ZREAD_XZ };

struct zread;

/* path "-" is standard input. NULL with a message (naming the file) in err. */
struct zread *zread_open(const char *path, char *err, size_t errlen);
/* the decompressed stream. Closing it (fclose, pcap_close) releases the
 * descriptor and the decoder; the zread itself lives until zread_free. Its
 * ftell() is the offset in the decompressed bytes. */
FILE *zread_file(struct zread *z);
/* fill buf with up to n of the first decompressed bytes without consuming
 * them (call before the first read); returns how many (fewer at the end) */
size_t zread_peek(struct zread *z, uint8_t *buf, size_t n);
/* the decompressed stream without stdio in between (pcapview's reader): what
 * stdio already holds first, then straight from the file or decoder into
 * buf, one copy fewer. Once called, read only this way (the FILE is left for
 * closing). Returns bytes, 0 at the end, -1 with *err_no (zread_error says
 * why a decoder failed) */
ssize_t zread_read_direct(void *z, void *buf, size_t n, int *err_no);
enum zread_codec zread_codec(const struct zread *z);
const char *zread_codec_name(enum zread_codec c);
/* why the last read failed ("" if it did not): a decoder error or truncated
 * compressed data, which the stream reports as a read error (never as a
 * clean end, so a cut .gz cannot pass for a complete capture) */
const char *zread_error(const struct zread *z);
/* true when the input can be opened again from its start: a regular file, not standard input */
int zread_is_regular(const struct zread *z);
/* fcloses the stream if still open, then frees */
void zread_free(struct zread *z);

#endif
