/* Unit tests for the command table (smb1_cmds.c): a name for every command
 * code [MS-CIFS] 2.2.2.1 defines, the AndX flag on exactly the AndX commands,
 * stream functions only where file data travels, the owned-string release,
 * and every handler fed with pseudo-random messages (must never crash or
 * read out of bounds; the sanitizer build checks the latter). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

static const struct { uint8_t code; const char *name; } CODES[] = {
    {0x00, "CREATE_DIRECTORY"}, {0x01, "DELETE_DIRECTORY"}, {0x02, "OPEN"}, {0x03, "CREATE"},
    {0x04, "CLOSE"}, {0x05, "FLUSH"}, {0x06, "DELETE"}, {0x07, "RENAME"}, {0x08, "QUERY_INFORMATION"},
    {0x09, "SET_INFORMATION"}, {0x0a, "READ"}, {0x0b, "WRITE"}, {0x0c, "LOCK_BYTE_RANGE"},
    {0x0d, "UNLOCK_BYTE_RANGE"}, {0x0e, "CREATE_TEMPORARY"}, {0x0f, "CREATE_NEW"}, {0x10, "CHECK_DIRECTORY"},
    {0x11, "PROCESS_EXIT"}, {0x12, "SEEK"}, {0x13, "LOCK_AND_READ"}, {0x14, "WRITE_AND_UNLOCK"},
    {0x1a, "READ_RAW"}, {0x1b, "READ_MPX"}, {0x1c, "READ_MPX_SECONDARY"}, {0x1d, "WRITE_RAW"},
    {0x1e, "WRITE_MPX"}, {0x1f, "WRITE_MPX_SECONDARY"}, {0x20, "WRITE_COMPLETE"}, {0x21, "QUERY_SERVER"},
    {0x22, "SET_INFORMATION2"}, {0x23, "QUERY_INFORMATION2"}, {0x24, "LOCKING_ANDX"}, {0x25, "TRANSACTION"},
    {0x26, "TRANSACTION_SECONDARY"}, {0x27, "IOCTL"}, {0x28, "IOCTL_SECONDARY"}, {0x29, "COPY"},
    {0x2a, "MOVE"}, {0x2b, "ECHO"}, {0x2c, "WRITE_AND_CLOSE"}, {0x2d, "OPEN_ANDX"}, {0x2e, "READ_ANDX"},
    {0x2f, "WRITE_ANDX"}, {0x30, "NEW_FILE_SIZE"}, {0x31, "CLOSE_AND_TREE_DISC"}, {0x32, "TRANSACTION2"},
    {0x33, "TRANSACTION2_SECONDARY"}, {0x34, "FIND_CLOSE2"}, {0x35, "FIND_NOTIFY_CLOSE"},
    {0x70, "TREE_CONNECT"}, {0x71, "TREE_DISCONNECT"}, {0x72, "NEGOTIATE"}, {0x73, "SESSION_SETUP_ANDX"},
    {0x74, "LOGOFF_ANDX"}, {0x75, "TREE_CONNECT_ANDX"}, {0x7e, "SECURITY_PACKAGE_ANDX"},
    {0x80, "QUERY_INFORMATION_DISK"}, {0x81, "SEARCH"}, {0x82, "FIND"}, {0x83, "FIND_UNIQUE"},
    {0x84, "FIND_CLOSE"}, {0xa0, "NT_TRANSACT"}, {0xa1, "NT_TRANSACT_SECONDARY"}, {0xa2, "NT_CREATE_ANDX"},
    {0xa4, "NT_CANCEL"}, {0xa5, "NT_RENAME"}, {0xc0, "OPEN_PRINT_FILE"}, {0xc1, "WRITE_PRINT_FILE"},
    {0xc2, "CLOSE_PRINT_FILE"}, {0xc3, "GET_PRINT_QUEUE"}, {0xd8, "READ_BULK"}, {0xd9, "WRITE_BULK"},
    {0xda, "WRITE_BULK_DATA"}, {0xfe, "INVALID"}, {0xff, "NO_ANDX_COMMAND"},
};

START_TEST(every_command_code_is_named)
{
    size_t named = 0;
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++) {
        ck_assert_ptr_nonnull(smb1_cmds[CODES[i].code].name);
        ck_assert_str_eq(smb1_cmds[CODES[i].code].name, CODES[i].name);
    }
    for (int c = 0; c < 256; c++)
        named += smb1_cmds[c].name != NULL;
    ck_assert_uint_eq(named, sizeof CODES / sizeof CODES[0]); /* and nothing else */
    char scratch[24];
    ck_assert_str_eq(smb1_cmd_name(0x40, scratch, sizeof scratch), "COM_0x40");
    ck_assert_str_eq(smb1_cmd_name(0x2e, scratch, sizeof scratch), "READ_ANDX");
}
END_TEST

START_TEST(andx_flags_and_streams)
{
    static const uint8_t andx[] = {0x24, 0x2d, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0x7e, 0xa2};
    for (int c = 0; c < 256; c++) {
        bool want = memchr(andx, c, sizeof andx) != NULL;
        ck_assert_msg(((smb1_cmds[c].flags & SMB1_ANDX) != 0) == want, "command 0x%02x", c);
        bool req_stream = c == 0x2f || c == 0x0b; /* WRITE_ANDX, WRITE */
        bool rsp_stream = c == 0x2e || c == 0x0a; /* READ_ANDX, READ */
        ck_assert_msg((smb1_cmds[c].req_stream != NULL) == req_stream, "command 0x%02x", c);
        ck_assert_msg((smb1_cmds[c].rsp_stream != NULL) == rsp_stream, "command 0x%02x", c);
    }
}
END_TEST

START_TEST(req_free_by_command)
{
    static const uint8_t cmds[] = {0x02, 0x03, 0x0f, 0x2d, 0xa2, 0x75, 0x25, 0x32, 0xa0};
    for (size_t i = 0; i < sizeof cmds; i++) {
        struct smb1_pending p;
        memset(&p, 0, sizeof p);
        p.cmd = cmds[i];
        char *s = strdup("\\x");
        if (cmds[i] == 0x75)
            p.req.u.tree.path = s;
        else if (cmds[i] == 0x25 || cmds[i] == 0x32 || cmds[i] == 0xa0)
            p.req.u.trans.name = s;
        else
            p.req.u.open.name = s;
        p.req.owns_str = true;
        smb1_req_free(&p);
        ck_assert(!p.req.owns_str);
        smb1_req_free(&p); /* idempotent */
    }
    /* nothing owned: nothing freed (a READ's union holds numbers) */
    struct smb1_pending p;
    memset(&p, 0, sizeof p);
    p.cmd = 0x2e;
    p.req.u.read.fid = 0x1234;
    smb1_req_free(&p);
    ck_assert_uint_eq(p.req.u.read.fid, 0x1234);
}
END_TEST

/* xorshift: deterministic pseudo-random bytes */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void some_state(struct th *t)
{
    smb1_tree_get(&t->c, 1, true)->path = strdup("\\\\S\\IPC$");
    smb1_open_add(&t->c, 1, 1, 1, "\\pipe", 1);
    smb1_open_add(&t->c, 2, 1, 1, "\\file", 1);
    t->c.dialect = strdup("NT LM 0.12");
}

START_TEST(random_messages_never_crash)
{
    uint32_t seed = 0x9e3779b9u;
    for (int c = 0; c < 256; c++) {
        const struct smb1_cmd *cmd = &smb1_cmds[c];
        if (!cmd->req && !cmd->rsp && !cmd->req_stream && !cmd->rsp_stream)
            continue;
        for (int round = 0; round < 300; round++) {
            struct mb q, r;
            uint16_t flags2 = (rnd(&seed) & 1) ? 0xc801 : 0x4001;
            for (int k = 0; k < 2; k++) {
                struct mb *m = k ? &r : &q;
                /* small FIDs/TIDs/UIDs so the state above is hit */
                mb_hdr(m, (uint8_t)c, (rnd(&seed) & 3) == 0 ? 0xc0000016u : 0, k ? 0x88 : 0x08, flags2,
                       (uint16_t)(rnd(&seed) & 3), 1, (uint16_t)(rnd(&seed) & 3), 1);
                size_t wct = rnd(&seed) % 40;
                m->b[m->n++] = (uint8_t)wct;
                for (size_t i = 0; i < 2 * wct; i++) /* words biased to small values */
                    m->b[m->n++] = (uint8_t)((rnd(&seed) & 3) ? rnd(&seed) & 0x3f : rnd(&seed));
                size_t bcc = rnd(&seed) % 300;
                m->b[m->n++] = (uint8_t)bcc;
                m->b[m->n++] = (uint8_t)(bcc >> 8);
                size_t have = rnd(&seed) % (bcc + 1);
                for (size_t i = 0; i < have; i++) {
                    uint32_t v = rnd(&seed);
                    /* sprinkle signatures and terminators that steer parsers deeper */
                    if ((v & 63) == 0 && m->n + 8 < sizeof m->b - 400) {
                        memcpy(m->b + m->n, "NTLMSSP\0", 8);
                        m->n += 8;
                        m->b[m->n++] = (uint8_t)(1 + rnd(&seed) % 3);
                    } else {
                        m->b[m->n++] = (uint8_t)((v & 7) ? v >> 8 : 0);
                    }
                }
            }
            struct th t;
            th_init(&t);
            if (round & 1)
                some_state(&t);
            struct smb1_pending p;
            tx_init(&t, &p);
            struct smb1_stream s;
            th_stream(&t, &p, q.b, q.n, q.n, false, &s);
            th_req(&t, &p, q.b, q.n, q.n);
            th_stream(&t, &p, r.b, r.n, r.n, true, &s);
            th_rsp(&t, &p, r.b, r.n, r.n);
            tx_free(&p);
            th_end(&t);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_cmds");
    TCase *tc = tcase_create("cmds");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, every_command_code_is_named);
    tcase_add_test(tc, andx_flags_and_streams);
    tcase_add_test(tc, req_free_by_command);
    tcase_add_test(tc, random_messages_never_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
