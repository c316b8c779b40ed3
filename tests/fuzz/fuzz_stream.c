/* fuzz_stream: libFuzzer target for everything above TCP: NBSS framing, SMB1
 * assembly/streaming, every command handler, file tracking. The input is a
 * script of pieces: a control byte (bit 7: direction; bit 6: a gap instead of
 * data; low 6 bits: length - 1), then that many bytes for data. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "files.h"
#include "limits.h"
#include "registry.h"

static void drop(void *u, const struct event *e)
{
    (void)u;
    (void)e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct limits lim = limits_default();
    lim.smb_buffer = 4096; /* small caps reach the limit paths too */
    lim.pending_max = 8;
    lim.files_max = 8;
    struct emitter em = {.emit = drop};
    struct file_pool pool = {.lim = &lim};
    struct smb_app_ctx ctx = {.lim = &lim, .em = &em, .files = &pool};
    struct conn_ref conn = {.num = 1, .id = "C1", .server_port = size && (data[0] & 1) ? 139 : 445};
    void *app = smb_app_ops.open(&ctx, &conn, size > 1 && (data[1] & 1), 1);
    size_t i = 2;
    uint64_t ts = 1;
    while (i < size) {
        uint8_t ctl = data[i++];
        enum dir d = (ctl & 0x80) ? DIR_S2C : DIR_C2S;
        size_t n = (size_t)(ctl & 0x3f) + 1;
        if (ctl & 0x40) {
            smb_app_ops.gap(app, d, n * 37, ts++);
            continue;
        }
        if (n > size - i)
            n = size - i;
        smb_app_ops.data(app, d, data + i, n, ts++);
        i += n;
    }
    smb_app_ops.close(app, ts);
    return 0;
}
