/* Unit tests for a named pipe's payload through the SMB1 core: bytes_in /
 * bytes_out across TRANSACT_NMPIPE, TRANSACTION_SECONDARY, READ_ANDX and
 * WRITE_ANDX (never streamed to a file, never an overlap conflict), counts
 * bounded by the message that states them, a pipe proved only by an answered
 * transaction, and WRITE_ANDX data reaching the DCE/RPC layer across a gap.
 * Spec: [MS-CIFS] 2.2.5.6 (TRANSACT_NMPIPE), 2.2.4.33-34 (TRANSACTION and
 * its secondary), 2.2.4.42-43 (READ_ANDX, WRITE_ANDX on a pipe FID).
 * Real fixtures (smb1_harness.h): zeek/raw_ntlm_in_smb.pcap frames 28-29
 * (NT_CREATE_ANDX of \srvsvc) and 31 (TRANSACT_NMPIPE bind). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_core.h"
#include "smb1_harness.h"

/* the core on the harness's emitter and limits */
static void core_init(struct th *t, struct smb1_core *k)
{
    smb1_core_init(k, &t->ref, &t->em, &t->lim, &t->pool, false);
}

static void feed(struct smb1_core *k, enum dir d, const uint8_t *b, size_t n, uint64_t ts)
{
    smb1_msg_begin(k, d, n, ts);
    smb1_msg_data(k, d, b, n, ts);
    smb1_msg_end(k, d, true, ts);
}

static void feed_mb(struct smb1_core *k, enum dir d, const struct mb *m, uint64_t ts)
{
    feed(k, d, m->b, m->n, ts);
}

/* TRANSACTION response carrying n data bytes ([MS-CIFS] 2.2.4.33.2) */
static void trans_rsp(struct mb *m, uint16_t tid, uint16_t uid, uint16_t mid, uint16_t n, uint32_t status)
{
    mb_hdr(m, 0x25, status, 0x88, 0x4001, tid, 1, uid, mid);
    mb_words(m);
    mb_u16(m, 0);      /* TotalParameterCount */
    mb_u16(m, n);      /* TotalDataCount */
    mb_u16(m, 0);      /* Reserved1 */
    mb_u16(m, 0);      /* ParameterCount */
    mb_u16(m, 56);     /* ParameterOffset */
    mb_u16(m, 0);      /* ParameterDisplacement */
    mb_u16(m, n);      /* DataCount */
    mb_u16(m, 56);     /* DataOffset: header 32 + 1 + 20 words + 2 + pad */
    mb_u16(m, 0);      /* DataDisplacement */
    mb_u8(m, 0);       /* SetupCount */
    mb_u8(m, 0);       /* Reserved2 */
    mb_bytes(m);
    mb_u8(m, 0);       /* Pad */
    for (uint16_t i = 0; i < n; i++)
        mb_u8(m, (uint8_t)i);
    mb_end(m);
}

/* READ_ANDX request, 12 words ([MS-CIFS] 2.2.4.42.1) */
static void readx_req(struct mb *m, uint16_t mid, uint16_t fid, uint32_t off, uint16_t count)
{
    mb_hdr(m, 0x2e, 0, 0x08, 0x4001, 0x0800, 1, 0x0800, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, fid);    /* FID */
    mb_u32(m, off);    /* Offset */
    mb_u16(m, count);  /* MaxCountOfBytesToReturn */
    mb_u16(m, count);  /* MinCountOfBytesToReturn */
    mb_u32(m, 0xffffffff); /* Timeout (a pipe read) */
    mb_u16(m, 0);      /* Remaining */
    mb_u32(m, 0);      /* OffsetHigh */
    mb_bytes(m);
    mb_end(m);
}

/* READ_ANDX response with n bytes, all equal to `fill` ([MS-CIFS] 2.2.4.42.2) */
static void readx_rsp(struct mb *m, uint16_t mid, uint16_t n, uint8_t fill)
{
    mb_hdr(m, 0x2e, 0, 0x88, 0x4001, 0x0800, 1, 0x0800, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, 0);      /* Available */
    mb_u16(m, 0);      /* DataCompactionMode */
    mb_u16(m, 0);      /* Reserved1 */
    mb_u16(m, n);      /* DataLength */
    mb_u16(m, 60);     /* DataOffset: 32 + 1 + 24 + 2 + pad */
    mb_u16(m, 0);      /* DataLengthHigh */
    mb_zero(m, 8);     /* Reserved2 */
    mb_bytes(m);
    mb_u8(m, 0);       /* Pad */
    for (uint16_t i = 0; i < n; i++)
        mb_u8(m, fill);
    mb_end(m);
}

/* WRITE_ANDX request with n bytes at offset 0 ([MS-CIFS] 2.2.4.43.1) */
static void writex_req(struct mb *m, uint16_t mid, uint16_t fid, uint16_t n)
{
    mb_hdr(m, 0x2f, 0, 0x08, 0x4001, 0x0800, 1, 0x0800, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, fid);    /* FID */
    mb_u32(m, 0);      /* Offset */
    mb_u32(m, 0);      /* Timeout */
    mb_u16(m, 0x0008); /* WriteMode: message start */
    mb_u16(m, n);      /* Remaining */
    mb_u16(m, 0);      /* DataLengthHigh */
    mb_u16(m, n);      /* DataLength */
    mb_u16(m, 64);     /* DataOffset: 32 + 1 + 28 + 2 + pad */
    mb_u32(m, 0);      /* OffsetHigh */
    mb_bytes(m);
    mb_u8(m, 0);       /* Pad */
    for (uint16_t i = 0; i < n; i++)
        mb_u8(m, (uint8_t)(i ^ 0x5a));
    mb_end(m);
}

static void writex_rsp(struct mb *m, uint16_t mid, uint16_t n)
{
    mb_hdr(m, 0x2f, 0, 0x88, 0x4001, 0x0800, 1, 0x0800, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, n);      /* Count */
    mb_u16(m, 0);      /* Available */
    mb_u16(m, 0);      /* CountHigh */
    mb_u16(m, 0);      /* Reserved */
    mb_bytes(m);
    mb_end(m);
}

/* TRANSACTION_SECONDARY with n more data bytes ([MS-CIFS] 2.2.4.34.1) */
static void trans_secondary(struct mb *m, uint16_t mid, uint16_t displacement, uint16_t n)
{
    mb_hdr(m, 0x26, 0, 0x08, 0x4001, 0x0800, 1, 0x0800, mid);
    mb_words(m);
    mb_u16(m, 0);            /* TotalParameterCount */
    mb_u16(m, displacement + n); /* TotalDataCount */
    mb_u16(m, 0);            /* ParameterCount */
    mb_u16(m, 0);            /* ParameterOffset */
    mb_u16(m, 0);            /* ParameterDisplacement */
    mb_u16(m, n);            /* DataCount */
    mb_u16(m, 52);           /* DataOffset: 32 + 1 + 16 + 2 + pad */
    mb_u16(m, displacement); /* DataDisplacement */
    mb_bytes(m);
    mb_u8(m, 0);             /* Pad */
    mb_zero(m, n);
    mb_end(m);
}

/* an IPC tree, the session of alice@CORP, and \srvsvc opened as FID 0x4000 */
static void pipe_session(struct th *t, struct smb1_core *k)
{
    core_init(t, k);
    th_tree(&k->c, 0x0800, "\\\\SRV\\IPC$", "IPC");
    struct smb1_session *s = smb1_session_get(&k->c, 0x0800, true, 1);
    s->user = strdup("alice");
    s->domain = strdup("CORP");
    feed(k, DIR_C2S, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, 10);
    feed(k, DIR_S2C, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE, 20);
}

START_TEST(pipe_bytes_across_transact_read_and_write)
{
    struct th t;
    th_init(&t);
    struct smb1_core k;
    pipe_session(&t, &k);
    struct mb q, r;
    /* the bind through TRANSACT_NMPIPE: 72 bytes in, 68 out */
    feed(&k, DIR_C2S, TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ, 30);
    trans_rsp(&r, 0x0800, 0x0800, 5, 68, 0);
    feed_mb(&k, DIR_S2C, &r, 40);
    /* a request written with WRITE_ANDX (100 in), its answer read twice at
     * offset 0 with different bytes (300 + 200 out): an RPC conversation */
    writex_req(&q, 6, 0x4000, 100);
    feed_mb(&k, DIR_C2S, &q, 50);
    writex_rsp(&r, 6, 100);
    feed_mb(&k, DIR_S2C, &r, 60);
    readx_req(&q, 7, 0x4000, 0, 1024);
    feed_mb(&k, DIR_C2S, &q, 70);
    readx_rsp(&r, 7, 300, 'A');
    feed_mb(&k, DIR_S2C, &r, 80);
    readx_req(&q, 8, 0x4000, 0, 1024);
    feed_mb(&k, DIR_C2S, &q, 90);
    readx_rsp(&r, 8, 200, 'B');
    feed_mb(&k, DIR_S2C, &r, 100);
    /* a second TRANSACT_NMPIPE whose data continues in a secondary: 72 + 28 in */
    uint8_t again[sizeof TRANS_PIPE_REQ];
    memcpy(again, TRANS_PIPE_REQ, sizeof again);
    again[30] = 9;         /* MID 9 */
    again[35] = 100;       /* TotalDataCount 100: 28 bytes follow in a secondary */
    feed(&k, DIR_C2S, again, sizeof again, 110);
    trans_rsp(&r, 0x0800, 0x0800, 9, 0, 0); /* interim: go on */
    r.b[32] = 0;           /* WordCount 0 */
    r.n = 35;
    r.b[33] = r.b[34] = 0; /* ByteCount 0 */
    feed_mb(&k, DIR_S2C, &r, 115);
    trans_secondary(&q, 9, 72, 28);
    feed_mb(&k, DIR_C2S, &q, 120);
    trans_rsp(&r, 0x0800, 0x0800, 9, 16, 0);
    feed_mb(&k, DIR_S2C, &r, 130);

    /* the READ/WRITE records name the pipe */
    ck_assert(th_line_has(&t, "smb ", " command=\"READ_ANDX\" "));
    ck_assert(th_line_has(&t, "smb ", " fid=16384 file=\"\\srvsvc\" offset=0 max_count=1024 "));
    smb1_core_end(&k, 999);
    smb1_core_free(&k);
    ck_assert_str_eq(th_find(&t, "file "),
                     "file ts=999 start=@10 name=\"\\srvsvc\" share=\"\\\\SRV\\IPC$\" kind=\"pipe\" fid=16384 uid=2048 tid=2048 "
                     "user=\"alice\" domain=\"CORP\" size=null bytes_in=272 bytes_out=584 partial=false");
    /* re-reads at offset 0 are a conversation, not a conflict. The only
     * anomalies are the DCE/RPC layer's: after the bind, the client wrote 100
     * zero bytes that are no PDU (dcerpc_bad_header), then a bind again
     * (dcerpc_resync) whose transaction's secondary adds 28 zero bytes
     * (dcerpc_bad_header again); the server's fill bytes never looked like a PDU */
    ck_assert_uint_eq(th_count(&t, "anomaly "), 3);
    ck_assert(th_line_has(&t, "anomaly ", "dcerpc_bad_header"));
    ck_assert(th_line_has(&t, "anomaly ", "dcerpc_resync"));
    /* both binds (TRANSACT_NMPIPE) reported, unanswered: the server sent no ack */
    ck_assert_uint_eq(th_count(&t, "dcerpc_bind "), 2);
    ck_assert_uint_eq(t.pool.kept_peak, 0);
    ck_assert_uint_eq(t.pool.held_peak, 0);
    th_end(&t);
}
END_TEST

/* counts that lie past the message's end are bounded by it: a pipe's
 * bytes_in / bytes_out count what the messages can hold, not what their
 * DataLength / DataCount claim (before: 125780 in, 70551 out) */
START_TEST(pipe_bytes_lying_counts_are_bounded_by_the_message)
{
    struct th t;
    th_init(&t);
    struct smb1_core k;
    pipe_session(&t, &k);
    struct mb q, r;
    feed(&k, DIR_C2S, TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ, 30); /* 72 in */
    trans_rsp(&r, 0x0800, 0x0800, 5, 68, 0);
    r.b[45] = 0x88;        /* DataCount 5000, 68 bytes follow */
    r.b[46] = 0x13;
    feed_mb(&k, DIR_S2C, &r, 40);
    writex_req(&q, 6, 0x4000, 100);
    q.b[51] = 1;           /* DataLengthHigh 1: 65636 claimed, 100 follow */
    feed_mb(&k, DIR_C2S, &q, 50);
    writex_rsp(&r, 6, 100);
    feed_mb(&k, DIR_S2C, &r, 60);
    readx_req(&q, 7, 0x4000, 0, 1024);
    feed_mb(&k, DIR_C2S, &q, 70);
    readx_rsp(&r, 7, 10, 'A');
    r.b[43] = r.b[44] = 0xff; /* DataLength 65535, 10 follow */
    feed_mb(&k, DIR_S2C, &r, 80);
    /* a TRANSACT_NMPIPE continued by a secondary whose DataCount lies */
    uint8_t again[sizeof TRANS_PIPE_REQ];
    memcpy(again, TRANS_PIPE_REQ, sizeof again);
    again[30] = 9;         /* MID 9 */
    again[35] = 100;       /* TotalDataCount 100 */
    feed(&k, DIR_C2S, again, sizeof again, 110); /* 72 in */
    trans_rsp(&r, 0x0800, 0x0800, 9, 0, 0); /* interim: go on */
    r.b[32] = 0;           /* WordCount 0 */
    r.n = 35;
    r.b[33] = r.b[34] = 0; /* ByteCount 0 */
    feed_mb(&k, DIR_S2C, &r, 115);
    trans_secondary(&q, 9, 72, 28);
    q.b[43] = 0x60;        /* DataCount 60000, 28 follow */
    q.b[44] = 0xea;
    feed_mb(&k, DIR_C2S, &q, 120);
    trans_rsp(&r, 0x0800, 0x0800, 9, 16, 0); /* 16 out */
    feed_mb(&k, DIR_S2C, &r, 130);
    smb1_core_end(&k, 999);
    smb1_core_free(&k);
    ck_assert_msg(th_line_has(&t, "file ", " bytes_in=272 bytes_out=94 "), "%s", th_find(&t, "file "));
    /* what the messages said is still reported as said */
    ck_assert(th_line_has(&t, "smb ", " command=\"WRITE_ANDX\" ") && th_line_has(&t, "smb ", " length=65636 "));
    th_end(&t);
}
END_TEST

/* open \srvsvc with no tree seen and the response not seen: the FID's kind is
 * only learnt from a \PIPE\ transaction the server answers */
START_TEST(a_pipe_transaction_proves_a_pipe_only_when_answered)
{
    for (int ok = 0; ok < 2; ok++) {
        struct th t;
        th_init(&t);
        struct smb1_core k;
        core_init(&t, &k);
        smb1_open_add(&k.c, 0x4000, 0x0800, 0x0800, "\\srvsvc", 5);
        ck_assert_int_eq(smb1_open_get(&k.c, 0x4000)->kind, SMB1_OPEN_FILE);
        struct mb r;
        feed(&k, DIR_C2S, TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ, 30);
        /* an error (STATUS_INVALID_HANDLE) must not cost a file its hash,
         * even one that (oddly) comes with the words of a success */
        trans_rsp(&r, 0x0800, 0x0800, 5, ok ? 68 : 0, ok ? 0 : 0xc0000008);
        feed_mb(&k, DIR_S2C, &r, 40);
        struct smb1_open *o = smb1_open_get(&k.c, 0x4000);
        ck_assert_int_eq(o->kind, ok ? SMB1_OPEN_PIPE : SMB1_OPEN_FILE);
        ck_assert(ok ? o->ft == NULL : o->ft != NULL);
        smb1_core_end(&k, 999);
        smb1_core_free(&k);
        if (ok)
            ck_assert(th_line_has(&t, "file ", " kind=\"pipe\" fid=16384 uid=2048 tid=2048 user=null domain=null "
                                               "size=null bytes_in=72 bytes_out=68 partial=false"));
        else
            ck_assert(th_line_has(&t, "file ", " kind=\"file\" "));
        th_end(&t);
    }
}
END_TEST

/* WRITE_ANDX data on a pipe streams to the DCE/RPC layer piece by piece: a
 * bind cut by a capture gap is dropped with dcerpc_gap, the rest of it is
 * skipped (dcerpc_resync) and the next whole bind, sent in 7-byte pieces, is taken */
START_TEST(pipe_write_stream_gap_reaches_dcerpc)
{
    struct th t;
    th_init(&t);
    struct smb1_core k;
    pipe_session(&t, &k);
    const uint8_t *bind = TRANS_PIPE_REQ + 84; /* the 72-byte bind in that fixture */
    struct mb q;
    writex_req(&q, 6, 0x4000, 72);
    memcpy(q.b + 64, bind, 72);
    /* the header and the bind's first 20 bytes, 10 lost, the rest */
    smb1_msg_begin(&k, DIR_C2S, q.n, 50);
    smb1_msg_data(&k, DIR_C2S, q.b, 64 + 20, 50);
    smb1_msg_gap(&k, DIR_C2S, 10, 51);
    smb1_msg_data(&k, DIR_C2S, q.b + 64 + 30, q.n - 64 - 30, 52);
    smb1_msg_end(&k, DIR_C2S, true, 52);
    ck_assert(th_line_has(&t, "anomaly ", "dcerpc_gap"));
    writex_req(&q, 7, 0x4000, 72);
    memcpy(q.b + 64, bind, 72);
    q.b[64 + 12] = 2; /* call_id 2 */
    smb1_msg_begin(&k, DIR_C2S, q.n, 60);
    for (size_t i = 0; i < q.n; i += 7) /* in 7-byte pieces */
        smb1_msg_data(&k, DIR_C2S, q.b + i, q.n - i < 7 ? q.n - i : 7, 60);
    smb1_msg_end(&k, DIR_C2S, true, 60);
    smb1_core_end(&k, 999);
    smb1_core_free(&k);
    /* only the second bind is reported (unanswered) */
    ck_assert_uint_eq(th_count(&t, "dcerpc_bind "), 1);
    ck_assert(th_line_has(&t, "dcerpc_bind ", "call_id=2"));
    /* the 42 bytes of the cut bind after the gap were skipped to reach it */
    ck_assert_uint_eq(th_count(&t, "anomaly "), 2);
    ck_assert(th_line_has(&t, "anomaly ", "42 bytes skipped to the next PDU header"));
    th_end(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_pipe");
    TCase *tc = tcase_create("pipe");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pipe_bytes_across_transact_read_and_write);
    tcase_add_test(tc, pipe_bytes_lying_counts_are_bounded_by_the_message);
    tcase_add_test(tc, a_pipe_transaction_proves_a_pipe_only_when_answered);
    tcase_add_test(tc, pipe_write_stream_gap_reaches_dcerpc);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
