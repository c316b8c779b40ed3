/* smbscope: command line and wiring only (placeholder until the pipeline lands). */
#include <stdio.h>
int main(void) { puts("smbscope " SMBSCOPE_VERSION); return 0; }
