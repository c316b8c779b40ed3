/* dcerpc_ifaces: interface UUIDs, versions, opnum names and return-code names.
 * Spec: each interface's "Methods in RPC Opnum Order" table ([MS-SCMR] 3.1.4, [MS-SAMR] 3.1.5,
 * [MS-LSAD] 3.1.4 + [MS-LSAT] 3.1.4, [MS-SRVS] 3.1.4, [MS-WKST] 3.2.4, [MS-RRP] 3.1.5,
 * [MS-RPRN] 3.1.4, [MS-EVEN] 3.1.4, [MS-NRPC] 3.5.4, [MS-TSCH] 3.2.5.2-3.2.5.4, [C706] appendix O
 * (ept), [MS-DRSR] 4.1, [MS-DSSP] 3.2.5, [MS-BRWSA] 3.1.4); UUIDs from each spec's "Standards
 * Assignments" section; [MS-ERREF] 2.2 (Win32), 2.1 (HRESULT), [C706] appendix E (fault codes).
 *
 * Names are the specs' method names, with two readability exceptions that other analyzers share:
 * svcctl drops the R prefix of the wire methods (RCreateServiceW -> CreateServiceW) and drsuapi
 * drops IDL_ (IDL_DRSGetNCChanges -> DRSGetNCChanges). Opnums the specs list as NotUsedOnWire are
 * NULL: no Windows client sends them, so a name would be a guess. Every table was checked opnum
 * by opnum against a second, independent decoder (tests/unit/test_dcerpc_ifaces.c says how). */
#include "dcerpc_ifaces.h"

#include <string.h>

#include "dcerpc_args.h"
#include "smb1_status.h"

/* the wire form of a UUID written as in its canonical text a-b-c-d[8]: [MS-RPCE] 2.2.2.1 sends
 * the first three fields little-endian and the last eight bytes as they are */
#define UUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                                    \
    {(a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff, \
     (c) & 0xff, ((c) >> 8) & 0xff, d0, d1, d2, d3, d4, d5, d6, d7}
#define N_OPS(a) (sizeof(a) / sizeof(a)[0])

/* [MS-SCMR] 3.1.4 */
static const char *const svcctl_ops[] = {
    [0] = "CloseServiceHandle", [1] = "ControlService", [2] = "DeleteService",
    [3] = "LockServiceDatabase", [4] = "QueryServiceObjectSecurity", [5] = "SetServiceObjectSecurity",
    [6] = "QueryServiceStatus", [7] = "SetServiceStatus", [8] = "UnlockServiceDatabase",
    [9] = "NotifyBootConfigStatus", [10] = "I_ScSetServiceBitsW", [11] = "ChangeServiceConfigW",
    [12] = "CreateServiceW", [13] = "EnumDependentServicesW", [14] = "EnumServicesStatusW",
    [15] = "OpenSCManagerW", [16] = "OpenServiceW", [17] = "QueryServiceConfigW",
    [18] = "QueryServiceLockStatusW", [19] = "StartServiceW", [20] = "GetServiceDisplayNameW",
    [21] = "GetServiceKeyNameW", [22] = "I_ScSetServiceBitsA", [23] = "ChangeServiceConfigA",
    [24] = "CreateServiceA", [25] = "EnumDependentServicesA", [26] = "EnumServicesStatusA",
    [27] = "OpenSCManagerA", [28] = "OpenServiceA", [29] = "QueryServiceConfigA",
    [30] = "QueryServiceLockStatusA", [31] = "StartServiceA", [32] = "GetServiceDisplayNameA",
    [33] = "GetServiceKeyNameA", [34] = "I_ScGetCurrentGroupStateW", [35] = "EnumServiceGroupW",
    [36] = "ChangeServiceConfig2A", [37] = "ChangeServiceConfig2W", [38] = "QueryServiceConfig2A",
    [39] = "QueryServiceConfig2W", [40] = "QueryServiceStatusEx", [41] = "EnumServicesStatusExA",
    [42] = "EnumServicesStatusExW", [43] = "I_ScSendTSMessage", [44] = "CreateServiceWOW64A",
    [45] = "CreateServiceWOW64W", [47] = "NotifyServiceStatusChange", [48] = "GetNotifyResults",
    [49] = "CloseNotifyHandle", [50] = "ControlServiceExA", [51] = "ControlServiceExW",
    [56] = "QueryServiceConfigEx",
};

/* [MS-SAMR] 3.1.5 */
static const char *const samr_ops[] = {
    [0] = "SamrConnect", [1] = "SamrCloseHandle", [2] = "SamrSetSecurityObject",
    [3] = "SamrQuerySecurityObject", [5] = "SamrLookupDomainInSamServer",
    [6] = "SamrEnumerateDomainsInSamServer", [7] = "SamrOpenDomain", [8] = "SamrQueryInformationDomain",
    [9] = "SamrSetInformationDomain", [10] = "SamrCreateGroupInDomain", [11] = "SamrEnumerateGroupsInDomain",
    [12] = "SamrCreateUserInDomain", [13] = "SamrEnumerateUsersInDomain", [14] = "SamrCreateAliasInDomain",
    [15] = "SamrEnumerateAliasesInDomain", [16] = "SamrGetAliasMembership", [17] = "SamrLookupNamesInDomain",
    [18] = "SamrLookupIdsInDomain", [19] = "SamrOpenGroup", [20] = "SamrQueryInformationGroup",
    [21] = "SamrSetInformationGroup", [22] = "SamrAddMemberToGroup", [23] = "SamrDeleteGroup",
    [24] = "SamrRemoveMemberFromGroup", [25] = "SamrGetMembersInGroup", [26] = "SamrSetMemberAttributesOfGroup",
    [27] = "SamrOpenAlias", [28] = "SamrQueryInformationAlias", [29] = "SamrSetInformationAlias",
    [30] = "SamrDeleteAlias", [31] = "SamrAddMemberToAlias", [32] = "SamrRemoveMemberFromAlias",
    [33] = "SamrGetMembersInAlias", [34] = "SamrOpenUser", [35] = "SamrDeleteUser",
    [36] = "SamrQueryInformationUser", [37] = "SamrSetInformationUser", [38] = "SamrChangePasswordUser",
    [39] = "SamrGetGroupsForUser", [40] = "SamrQueryDisplayInformation", [41] = "SamrGetDisplayEnumerationIndex",
    [44] = "SamrGetUserDomainPasswordInformation", [45] = "SamrRemoveMemberFromForeignDomain",
    [46] = "SamrQueryInformationDomain2", [47] = "SamrQueryInformationUser2",
    [48] = "SamrQueryDisplayInformation2", [49] = "SamrGetDisplayEnumerationIndex2",
    [50] = "SamrCreateUser2InDomain", [51] = "SamrQueryDisplayInformation3",
    [52] = "SamrAddMultipleMembersToAlias", [53] = "SamrRemoveMultipleMembersFromAlias",
    [54] = "SamrOemChangePasswordUser2", [55] = "SamrUnicodeChangePasswordUser2",
    [56] = "SamrGetDomainPasswordInformation", [57] = "SamrConnect2", [58] = "SamrSetInformationUser2",
    [62] = "SamrConnect4", [64] = "SamrConnect5", [65] = "SamrRidToSid", [66] = "SamrSetDSRMPassword",
    [67] = "SamrValidatePassword",
};

/* [MS-LSAD] 3.1.4 and [MS-LSAT] 3.1.4: one interface */
static const char *const lsarpc_ops[] = {
    [0] = "LsarClose", [2] = "LsarEnumeratePrivileges", [3] = "LsarQuerySecurityObject",
    [4] = "LsarSetSecurityObject", [6] = "LsarOpenPolicy", [7] = "LsarQueryInformationPolicy",
    [8] = "LsarSetInformationPolicy", [10] = "LsarCreateAccount", [11] = "LsarEnumerateAccounts",
    [12] = "LsarCreateTrustedDomain", [13] = "LsarEnumerateTrustedDomains", [14] = "LsarLookupNames",
    [15] = "LsarLookupSids", [16] = "LsarCreateSecret", [17] = "LsarOpenAccount",
    [18] = "LsarEnumeratePrivilegesAccount", [19] = "LsarAddPrivilegesToAccount",
    [20] = "LsarRemovePrivilegesFromAccount", [23] = "LsarGetSystemAccessAccount",
    [24] = "LsarSetSystemAccessAccount", [25] = "LsarOpenTrustedDomain", [26] = "LsarQueryInfoTrustedDomain",
    [27] = "LsarSetInformationTrustedDomain", [28] = "LsarOpenSecret", [29] = "LsarSetSecret",
    [30] = "LsarQuerySecret", [31] = "LsarLookupPrivilegeValue", [32] = "LsarLookupPrivilegeName",
    [33] = "LsarLookupPrivilegeDisplayName", [34] = "LsarDeleteObject",
    [35] = "LsarEnumerateAccountsWithUserRight", [36] = "LsarEnumerateAccountRights",
    [37] = "LsarAddAccountRights", [38] = "LsarRemoveAccountRights", [39] = "LsarQueryTrustedDomainInfo",
    [40] = "LsarSetTrustedDomainInfo", [41] = "LsarDeleteTrustedDomain", [42] = "LsarStorePrivateData",
    [43] = "LsarRetrievePrivateData", [44] = "LsarOpenPolicy2", [45] = "LsarGetUserName",
    [46] = "LsarQueryInformationPolicy2", [47] = "LsarSetInformationPolicy2",
    [48] = "LsarQueryTrustedDomainInfoByName", [49] = "LsarSetTrustedDomainInfoByName",
    [50] = "LsarEnumerateTrustedDomainsEx", [51] = "LsarCreateTrustedDomainEx",
    [53] = "LsarQueryDomainInformationPolicy", [54] = "LsarSetDomainInformationPolicy",
    [55] = "LsarOpenTrustedDomainByName", [57] = "LsarLookupSids2", [58] = "LsarLookupNames2",
    [59] = "LsarCreateTrustedDomainEx2", [68] = "LsarLookupNames3", [73] = "LsarQueryForestTrustInformation",
    [74] = "LsarSetForestTrustInformation", [76] = "LsarLookupSids3", [77] = "LsarLookupNames4",
};

/* [MS-SRVS] 3.1.4 */
static const char *const srvsvc_ops[] = {
    [8] = "NetrConnectionEnum", [9] = "NetrFileEnum", [10] = "NetrFileGetInfo", [11] = "NetrFileClose",
    [12] = "NetrSessionEnum", [13] = "NetrSessionDel", [14] = "NetrShareAdd", [15] = "NetrShareEnum",
    [16] = "NetrShareGetInfo", [17] = "NetrShareSetInfo", [18] = "NetrShareDel", [19] = "NetrShareDelSticky",
    [20] = "NetrShareCheck", [21] = "NetrServerGetInfo", [22] = "NetrServerSetInfo",
    [23] = "NetrServerDiskEnum", [24] = "NetrServerStatisticsGet", [25] = "NetrServerTransportAdd",
    [26] = "NetrServerTransportEnum", [27] = "NetrServerTransportDel", [28] = "NetrRemoteTOD",
    [30] = "NetprPathType", [31] = "NetprPathCanonicalize", [32] = "NetprPathCompare",
    [33] = "NetprNameValidate", [34] = "NetprNameCanonicalize", [35] = "NetprNameCompare",
    [36] = "NetrShareEnumSticky", [37] = "NetrShareDelStart", [38] = "NetrShareDelCommit",
    [39] = "NetrpGetFileSecurity", [40] = "NetrpSetFileSecurity", [41] = "NetrServerTransportAddEx",
    [43] = "NetrDfsGetVersion", [44] = "NetrDfsCreateLocalPartition", [45] = "NetrDfsDeleteLocalPartition",
    [46] = "NetrDfsSetLocalVolumeState", [48] = "NetrDfsCreateExitPoint", [49] = "NetrDfsDeleteExitPoint",
    [50] = "NetrDfsModifyPrefix", [51] = "NetrDfsFixLocalVolume", [52] = "NetrDfsManagerReportSiteInfo",
    [53] = "NetrServerTransportDelEx", [54] = "NetrServerAliasAdd", [55] = "NetrServerAliasEnum",
    [56] = "NetrServerAliasDel", [57] = "NetrShareDelEx",
};

/* [MS-WKST] 3.2.4 */
static const char *const wkssvc_ops[] = {
    [0] = "NetrWkstaGetInfo", [1] = "NetrWkstaSetInfo", [2] = "NetrWkstaUserEnum",
    [5] = "NetrWkstaTransportEnum", [6] = "NetrWkstaTransportAdd", [7] = "NetrWkstaTransportDel",
    [8] = "NetrUseAdd", [9] = "NetrUseGetInfo", [10] = "NetrUseDel", [11] = "NetrUseEnum",
    [13] = "NetrWorkstationStatisticsGet", [20] = "NetrGetJoinInformation", [22] = "NetrJoinDomain2",
    [23] = "NetrUnjoinDomain2", [24] = "NetrRenameMachineInDomain2", [25] = "NetrValidateName2",
    [26] = "NetrGetJoinableOUs2", [27] = "NetrAddAlternateComputerName",
    [28] = "NetrRemoveAlternateComputerName", [29] = "NetrSetPrimaryComputerName",
    [30] = "NetrEnumerateComputerNames",
};

/* [MS-RRP] 3.1.5, [MS-RSP] 3.2.4 */
static const char *const winreg_ops[] = {
    [0] = "OpenClassesRoot", [1] = "OpenCurrentUser", [2] = "OpenLocalMachine", [3] = "OpenPerformanceData",
    [4] = "OpenUsers", [5] = "BaseRegCloseKey", [6] = "BaseRegCreateKey", [7] = "BaseRegDeleteKey",
    [8] = "BaseRegDeleteValue", [9] = "BaseRegEnumKey", [10] = "BaseRegEnumValue", [11] = "BaseRegFlushKey",
    [12] = "BaseRegGetKeySecurity", [13] = "BaseRegLoadKey", [15] = "BaseRegOpenKey",
    [16] = "BaseRegQueryInfoKey", [17] = "BaseRegQueryValue", [18] = "BaseRegReplaceKey",
    [19] = "BaseRegRestoreKey", [20] = "BaseRegSaveKey", [21] = "BaseRegSetKeySecurity",
    [22] = "BaseRegSetValue", [23] = "BaseRegUnLoadKey",
    /* [MS-RSP] 3.2.4: the remote shutdown methods served on the winreg interface */
    [24] = "BaseInitiateSystemShutdown", [25] = "BaseAbortSystemShutdown", [26] = "BaseRegGetVersion",
    [27] = "OpenCurrentConfig", [29] = "BaseRegQueryMultipleValues", [30] = "BaseInitiateSystemShutdownEx",
    [31] = "BaseRegSaveKeyEx",
    [32] = "OpenPerformanceText", [33] = "OpenPerformanceNlsText", [34] = "BaseRegQueryMultipleValues2",
    [35] = "BaseRegDeleteKeyEx",
};

/* [MS-RPRN] 3.1.4 */
static const char *const spoolss_ops[] = {
    [0] = "RpcEnumPrinters", [1] = "RpcOpenPrinter", [2] = "RpcSetJob", [3] = "RpcGetJob",
    [4] = "RpcEnumJobs", [5] = "RpcAddPrinter", [6] = "RpcDeletePrinter", [7] = "RpcSetPrinter",
    [8] = "RpcGetPrinter", [9] = "RpcAddPrinterDriver", [10] = "RpcEnumPrinterDrivers",
    [11] = "RpcGetPrinterDriver", [12] = "RpcGetPrinterDriverDirectory", [13] = "RpcDeletePrinterDriver",
    [14] = "RpcAddPrintProcessor", [15] = "RpcEnumPrintProcessors", [16] = "RpcGetPrintProcessorDirectory",
    [17] = "RpcStartDocPrinter", [18] = "RpcStartPagePrinter", [19] = "RpcWritePrinter",
    [20] = "RpcEndPagePrinter", [21] = "RpcAbortPrinter", [22] = "RpcReadPrinter", [23] = "RpcEndDocPrinter",
    [24] = "RpcAddJob", [25] = "RpcScheduleJob", [26] = "RpcGetPrinterData", [27] = "RpcSetPrinterData",
    [28] = "RpcWaitForPrinterChange", [29] = "RpcClosePrinter", [30] = "RpcAddForm", [31] = "RpcDeleteForm",
    [32] = "RpcGetForm", [33] = "RpcSetForm", [34] = "RpcEnumForms", [35] = "RpcEnumPorts",
    [36] = "RpcEnumMonitors", [39] = "RpcDeletePort", [40] = "RpcCreatePrinterIC",
    [41] = "RpcPlayGdiScriptOnPrinterIC", [42] = "RpcDeletePrinterIC", [46] = "RpcAddMonitor",
    [47] = "RpcDeleteMonitor", [48] = "RpcDeletePrintProcessor", [51] = "RpcEnumPrintProcDatatypes",
    [52] = "RpcResetPrinter", [53] = "RpcGetPrinterDriver2", [56] = "RpcFindClosePrinterChangeNotification",
    [58] = "RpcReplyOpenPrinter", [59] = "RpcRouterReplyPrinter", [60] = "RpcReplyClosePrinter",
    [61] = "RpcAddPortEx", [62] = "RpcRemoteFindFirstPrinterChangeNotification",
    [65] = "RpcRemoteFindFirstPrinterChangeNotificationEx", [66] = "RpcRouterReplyPrinterEx",
    [67] = "RpcRouterRefreshPrinterChangeNotification", [69] = "RpcOpenPrinterEx", [70] = "RpcAddPrinterEx",
    [71] = "RpcSetPort", [72] = "RpcEnumPrinterData", [73] = "RpcDeletePrinterData",
    [77] = "RpcSetPrinterDataEx", [78] = "RpcGetPrinterDataEx", [79] = "RpcEnumPrinterDataEx",
    [80] = "RpcEnumPrinterKey", [81] = "RpcDeletePrinterDataEx", [82] = "RpcDeletePrinterKey",
    [84] = "RpcDeletePrinterDriverEx", [85] = "RpcAddPerMachineConnection",
    [86] = "RpcDeletePerMachineConnection", [87] = "RpcEnumPerMachineConnections", [88] = "RpcXcvData",
    [89] = "RpcAddPrinterDriverEx", [96] = "RpcFlushPrinter", [97] = "RpcSendRecvBidiData",
    [102] = "RpcGetCorePrinterDrivers", [104] = "RpcGetPrinterDriverPackagePath",
};

/* [MS-EVEN] 3.1.4 */
static const char *const eventlog_ops[] = {
    [0] = "ElfrClearELFW", [1] = "ElfrBackupELFW", [2] = "ElfrCloseEL", [3] = "ElfrDeregisterEventSource",
    [4] = "ElfrNumberOfRecords", [5] = "ElfrOldestRecord", [6] = "ElfrChangeNotify", [7] = "ElfrOpenELW",
    [8] = "ElfrRegisterEventSourceW", [9] = "ElfrOpenBELW", [10] = "ElfrReadELW", [11] = "ElfrReportEventW",
    [12] = "ElfrClearELFA", [13] = "ElfrBackupELFA", [14] = "ElfrOpenELA", [15] = "ElfrRegisterEventSourceA",
    [16] = "ElfrOpenBELA", [17] = "ElfrReadELA", [18] = "ElfrReportEventA", [22] = "ElfrGetLogInformation", [23] = "ElfrFlushEL",
    [24] = "ElfrReportEventAndSourceW", [25] = "ElfrReportEventExW", [26] = "ElfrReportEventExA",
};

/* [MS-NRPC] 3.5.4 */
static const char *const netlogon_ops[] = {
    [0] = "NetrLogonUasLogon", [1] = "NetrLogonUasLogoff", [2] = "NetrLogonSamLogon",
    [3] = "NetrLogonSamLogoff", [4] = "NetrServerReqChallenge", [5] = "NetrServerAuthenticate",
    [6] = "NetrServerPasswordSet", [7] = "NetrDatabaseDeltas", [8] = "NetrDatabaseSync",
    [9] = "NetrAccountDeltas", [10] = "NetrAccountSync", [11] = "NetrGetDCName", [12] = "NetrLogonControl",
    [13] = "NetrGetAnyDCName", [14] = "NetrLogonControl2", [15] = "NetrServerAuthenticate2",
    [16] = "NetrDatabaseSync2", [17] = "NetrDatabaseRedo", [18] = "NetrLogonControl2Ex",
    [19] = "NetrEnumerateTrustedDomains", [20] = "DsrGetDcName", [21] = "NetrLogonGetCapabilities",
    [22] = "NetrLogonSetServiceBits", [23] = "NetrLogonGetTrustRid", [24] = "NetrLogonComputeServerDigest",
    [25] = "NetrLogonComputeClientDigest", [26] = "NetrServerAuthenticate3", [27] = "DsrGetDcNameEx",
    [28] = "DsrGetSiteName", [29] = "NetrLogonGetDomainInfo", [30] = "NetrServerPasswordSet2",
    [31] = "NetrServerPasswordGet", [32] = "NetrLogonSendToSam", [33] = "DsrAddressToSiteNamesW",
    [34] = "DsrGetDcNameEx2", [35] = "NetrLogonGetTimeServiceParentDomain",
    [36] = "NetrEnumerateTrustedDomainsEx", [37] = "DsrAddressToSiteNamesExW", [38] = "DsrGetDcSiteCoverageW",
    [39] = "NetrLogonSamLogonEx", [40] = "DsrEnumerateDomainTrusts", [41] = "DsrDeregisterDnsHostRecords",
    [42] = "NetrServerTrustPasswordsGet", [43] = "DsrGetForestTrustInformation",
    [44] = "NetrGetForestTrustInformation", [45] = "NetrLogonSamLogonWithFlags", [46] = "NetrServerGetTrustInfo",
};

/* [MS-TSCH] 3.2.5.2 (ATSvc) */
static const char *const atsvc_ops[] = {
    [0] = "NetrJobAdd", [1] = "NetrJobDel", [2] = "NetrJobEnum", [3] = "NetrJobGetInfo",
};

/* [MS-TSCH] 3.2.5.4 (ITaskSchedulerService) */
static const char *const tsch_ops[] = {
    [0] = "SchRpcHighestVersion", [1] = "SchRpcRegisterTask", [2] = "SchRpcRetrieveTask",
    [3] = "SchRpcCreateFolder", [4] = "SchRpcSetSecurity", [5] = "SchRpcGetSecurity", [6] = "SchRpcEnumFolders",
    [7] = "SchRpcEnumTasks", [8] = "SchRpcEnumInstances", [9] = "SchRpcGetInstanceInfo",
    [10] = "SchRpcStopInstance", [11] = "SchRpcStop", [12] = "SchRpcRun", [13] = "SchRpcDelete",
    [14] = "SchRpcRename", [15] = "SchRpcScheduledRuntimes", [16] = "SchRpcGetLastRunInfo",
    [17] = "SchRpcGetTaskInfo", [18] = "SchRpcGetNumberOfMissedRuns", [19] = "SchRpcEnableTask",
};

/* [MS-TSCH] 3.2.5.3 (SASec) */
static const char *const sasec_ops[] = {
    [0] = "SASetAccountInformation", [1] = "SASetNSAccountInformation", [2] = "SAGetNSAccountInformation",
    [3] = "SAGetAccountInformation",
};

/* [C706] appendix O: the endpoint mapper */
static const char *const epmapper_ops[] = {
    [0] = "ept_insert", [1] = "ept_delete", [2] = "ept_lookup", [3] = "ept_map",
    [4] = "ept_lookup_handle_free", [5] = "ept_inq_object", [6] = "ept_mgmt_delete",
};

/* [MS-DRSR] 4.1 (drsuapi) */
static const char *const drsuapi_ops[] = {
    [0] = "DRSBind", [1] = "DRSUnbind", [2] = "DRSReplicaSync", [3] = "DRSGetNCChanges",
    [4] = "DRSUpdateRefs", [5] = "DRSReplicaAdd", [6] = "DRSReplicaDel", [7] = "DRSReplicaModify",
    [8] = "DRSVerifyNames", [9] = "DRSGetMemberships", [10] = "DRSInterDomainMove",
    [11] = "DRSGetNT4ChangeLog", [12] = "DRSCrackNames", [13] = "DRSWriteSPN", [14] = "DRSRemoveDsServer",
    [15] = "DRSRemoveDsDomain", [16] = "DRSDomainControllerInfo", [17] = "DRSAddEntry",
    [18] = "DRSExecuteKCC", [19] = "DRSGetReplInfo", [20] = "DRSAddSidHistory", [21] = "DRSGetMemberships2",
    [22] = "DRSReplicaVerifyObjects", [23] = "DRSGetObjectExistence", [24] = "DRSQuerySitesByCost",
    [25] = "DRSInitDemotion", [26] = "DRSReplicaDemotion", [27] = "DRSFinishDemotion",
    [28] = "DRSAddCloneDC", [29] = "DRSWriteNgcKey", [30] = "DRSReadNgcKey",
};

/* [MS-DSSP] 3.2.5: opnums 1-11 are not used on the wire */
static const char *const dssetup_ops[] = {
    [0] = "DsRolerGetPrimaryDomainInformation",
};

/* [MS-BRWSA] 3.1.4: only opnum 2 is used on the wire */
static const char *const browser_ops[] = {
    [2] = "I_BrowserrQueryOtherDomains",
};

/* [MS-RPCE] 2.2.1.3 / [C706] appendix N: the management interface every server exports */
static const char *const mgmt_ops[] = {
    [0] = "inq_if_ids", [1] = "inq_stats", [2] = "is_server_listening", [3] = "stop_server_listening",
    [4] = "inq_princ_name",
};

#define IFACE(nm, u, ver, ops_, rq, rs, nt)                                                   \
    {.name = nm, .uuid = u, .ver_major = ver, .ops = ops_, .n_ops = N_OPS(ops_), .req = rq, .rsp = rs, \
     .status_is_hresult_or_win32 = true, .ntstatus = nt}

static const struct dcerpc_iface IFACES[] = {
    IFACE("svcctl", UUID(0x367abb81, 0x9844, 0x35f1, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03), 2,
          svcctl_ops, dcerpc_svcctl_req, NULL, false),
    IFACE("samr", UUID(0x12345778, 0x1234, 0xabcd, 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac), 1,
          samr_ops, dcerpc_samr_req, dcerpc_samr_rsp, true),
    IFACE("lsarpc", UUID(0x12345778, 0x1234, 0xabcd, 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab), 0,
          lsarpc_ops, dcerpc_lsarpc_req, dcerpc_lsarpc_rsp, true),
    IFACE("srvsvc", UUID(0x4b324fc8, 0x1670, 0x01d3, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88), 3,
          srvsvc_ops, dcerpc_srvsvc_req, dcerpc_srvsvc_rsp, false),
    IFACE("wkssvc", UUID(0x6bffd098, 0xa112, 0x3610, 0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a), 1,
          wkssvc_ops, NULL, NULL, false),
    IFACE("winreg", UUID(0x338cd001, 0x2244, 0x31f1, 0xaa, 0xaa, 0x90, 0x00, 0x38, 0x00, 0x10, 0x03), 1,
          winreg_ops, dcerpc_winreg_req, dcerpc_winreg_rsp, false),
    IFACE("spoolss", UUID(0x12345678, 0x1234, 0xabcd, 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab), 1,
          spoolss_ops, dcerpc_spoolss_req, NULL, false),
    IFACE("eventlog", UUID(0x82273fdc, 0xe32a, 0x18c3, 0x3f, 0x78, 0x82, 0x79, 0x29, 0xdc, 0x23, 0xea), 0,
          eventlog_ops, NULL, NULL, true),
    IFACE("netlogon", UUID(0x12345678, 0x1234, 0xabcd, 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0xcf, 0xfb), 1,
          netlogon_ops, NULL, NULL, true),
    IFACE("atsvc", UUID(0x1ff70682, 0x0a51, 0x30e8, 0x07, 0x6d, 0x74, 0x0b, 0xe8, 0xce, 0xe9, 0x8b), 1,
          atsvc_ops, dcerpc_atsvc_req, NULL, false),
    IFACE("tsch", UUID(0x86d35949, 0x83c9, 0x4044, 0xb4, 0x24, 0xdb, 0x36, 0x32, 0x31, 0xfd, 0x0c), 1,
          tsch_ops, dcerpc_tsch_req, NULL, false),
    IFACE("sasec", UUID(0x378e52b0, 0xc0a9, 0x11cf, 0x82, 0x2d, 0x00, 0xaa, 0x00, 0x51, 0xe4, 0x0f), 1,
          sasec_ops, NULL, NULL, false),
    IFACE("epmapper", UUID(0xe1af8308, 0x5d1f, 0x11c9, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa), 3,
          epmapper_ops, NULL, NULL, false),
    IFACE("drsuapi", UUID(0xe3514235, 0x4b06, 0x11d1, 0xab, 0x04, 0x00, 0xc0, 0x4f, 0xc2, 0xdc, 0xd2), 4,
          drsuapi_ops, NULL, NULL, false),
    IFACE("dssetup", UUID(0x3919286a, 0xb10c, 0x11d0, 0x9b, 0xa8, 0x00, 0xc0, 0x4f, 0xd9, 0x2e, 0xf5), 0,
          dssetup_ops, NULL, NULL, false),
    IFACE("browser", UUID(0x6bffd098, 0xa112, 0x3610, 0x98, 0x33, 0x01, 0x28, 0x92, 0x02, 0x01, 0x62), 0,
          browser_ops, NULL, NULL, false),
    IFACE("mgmt", UUID(0xafa8bd80, 0x7d8a, 0x11c9, 0xbe, 0xf4, 0x08, 0x00, 0x2b, 0x10, 0x29, 0x89), 1,
          mgmt_ops, NULL, NULL, false),
};

const struct dcerpc_iface *dcerpc_iface_table(size_t *n)
{
    *n = N_OPS(IFACES);
    return IFACES;
}

const struct dcerpc_iface *dcerpc_iface_by_uuid(const uint8_t uuid[16], uint16_t ver_major)
{
    for (size_t i = 0; i < N_OPS(IFACES); i++)
        if (IFACES[i].ver_major == ver_major && memcmp(IFACES[i].uuid, uuid, 16) == 0)
            return &IFACES[i];
    return NULL;
}

const char *dcerpc_op_name(const struct dcerpc_iface *i, uint16_t opnum)
{
    return i && opnum < i->n_ops ? i->ops[opnum] : NULL;
}

/* [MS-ERREF] 2.2 (Win32 error codes, including the NERR_ range), 2.1 (HRESULT), [C706]
 * appendix E (fault codes in a FAULT PDU); sorted by code: the unit test checks it */
#define S(v, n) {v, #n}
static const struct nt_status_entry W32[] = {
    S(0, ERROR_SUCCESS),
    S(1, ERROR_INVALID_FUNCTION),
    S(2, ERROR_FILE_NOT_FOUND),
    S(3, ERROR_PATH_NOT_FOUND),
    S(5, ERROR_ACCESS_DENIED),
    S(6, ERROR_INVALID_HANDLE),
    S(8, ERROR_NOT_ENOUGH_MEMORY),
    S(13, ERROR_INVALID_DATA),
    S(19, ERROR_WRITE_PROTECT),
    S(50, ERROR_NOT_SUPPORTED),
    S(53, ERROR_BAD_NETPATH),
    S(67, ERROR_BAD_NET_NAME),
    S(87, ERROR_INVALID_PARAMETER),
    S(122, ERROR_INSUFFICIENT_BUFFER),
    S(123, ERROR_INVALID_NAME),
    S(124, ERROR_INVALID_LEVEL),
    S(183, ERROR_ALREADY_EXISTS),
    S(234, ERROR_MORE_DATA),
    S(259, ERROR_NO_MORE_ITEMS),
    S(1008, ERROR_NO_TOKEN),
    S(1010, ERROR_BADKEY),
    S(1051, ERROR_DEPENDENT_SERVICES_RUNNING),
    S(1052, ERROR_INVALID_SERVICE_CONTROL),
    S(1053, ERROR_SERVICE_REQUEST_TIMEOUT),
    S(1056, ERROR_SERVICE_ALREADY_RUNNING),
    S(1057, ERROR_INVALID_SERVICE_ACCOUNT),
    S(1058, ERROR_SERVICE_DISABLED),
    S(1060, ERROR_SERVICE_DOES_NOT_EXIST),
    S(1061, ERROR_SERVICE_CANNOT_ACCEPT_CTRL),
    S(1062, ERROR_SERVICE_NOT_ACTIVE),
    S(1063, ERROR_FAILED_SERVICE_CONTROLLER_CONNECT),
    S(1065, ERROR_DATABASE_DOES_NOT_EXIST),
    S(1066, ERROR_SERVICE_SPECIFIC_ERROR),
    S(1069, ERROR_SERVICE_LOGON_FAILED),
    S(1072, ERROR_SERVICE_MARKED_FOR_DELETE),
    S(1073, ERROR_SERVICE_EXISTS),
    S(1078, ERROR_DUPLICATE_SERVICE_NAME),
    S(1115, ERROR_SHUTDOWN_IN_PROGRESS),
    S(1326, ERROR_LOGON_FAILURE),
    S(1332, ERROR_NONE_MAPPED),
    S(1722, RPC_S_SERVER_UNAVAILABLE),
    S(1726, RPC_S_CALL_FAILED),
    S(1745, RPC_S_PROCNUM_OUT_OF_RANGE),
    S(1783, RPC_X_BAD_STUB_DATA),
    S(1797, ERROR_UNKNOWN_PRINTER_DRIVER),
    S(1801, ERROR_INVALID_PRINTER_NAME),
    S(2221, NERR_UserNotFound),
    S(2310, NERR_NetNameNotFound),
    S(0x1C00001A, nca_s_fault_context_mismatch),
    S(0x1C010002, nca_s_op_rng_error),
    S(0x1C010003, nca_s_unk_if),
    S(0x1C01000B, nca_s_proto_error),
    S(0x80004001, E_NOTIMPL),
    S(0x80004005, E_FAIL),
    S(0x80070005, E_ACCESSDENIED),
    S(0x8007000E, E_OUTOFMEMORY),
    S(0x80070057, E_INVALIDARG),
};
#undef S

const struct nt_status_entry *dcerpc_w32_table(size_t *n)
{
    *n = N_OPS(W32);
    return W32;
}

static const char *w32_name(uint32_t code)
{
    size_t lo = 0, hi = N_OPS(W32);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W32[mid].code == code)
            return W32[mid].name;
        if (W32[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *dcerpc_iface_status_name(const struct dcerpc_iface *i, uint32_t code)
{
    if (i && i->ntstatus)
        return nt_status_name(code);
    const char *n = w32_name(code);
    /* an NTSTATUS where a Win32 code was expected (a server's own failure, or an interface
     * this table does not describe): the severity bits tell them apart */
    if (!n && code >= 0x40000000u)
        n = nt_status_name(code);
    return n;
}

const char *dcerpc_status_name(uint32_t code) { return dcerpc_iface_status_name(NULL, code); }
