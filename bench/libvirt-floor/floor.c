/*
 * The memory floor of any agent that polls libvirt through libvirt's own library: this program
 * does, per cycle, the per-domain calls Stratus's compute pollsters make (info, XML, vCPUs, CPU
 * stats, memory stats, block stats and info per disk, interface stats per vNIC) and nothing
 * else, then prints its VmRSS, RssAnon and RssFile. See bench/libvirt-floor/run.sh.
 *
 *   floor URI CYCLES
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_memory(const char *when) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    if (!status) return;
    while (fgets(line, sizeof line, status)) {
        if (!strncmp(line, "VmRSS", 5) || !strncmp(line, "RssAnon", 7) || !strncmp(line, "RssFile", 7)) {
            printf("%s\t%s", when, line);
        }
    }
    fclose(status);
}

/* Calls `each` with every <target dev="..."> inside the elements named `element`. */
static void each_target(const char *xml, const char *element, virDomainPtr domain,
                        void (*each)(virDomainPtr, const char *)) {
    char open[32];
    snprintf(open, sizeof open, "<%s ", element);
    for (const char *at = strstr(xml, open); at; at = strstr(at + 1, open)) {
        const char *target = strstr(at, "<target dev=");
        if (!target) return;
        target += strlen("<target dev=") + 1;
        const char *end = strpbrk(target, "\"'");
        if (!end || end - target >= 64) continue;
        char name[64];
        memcpy(name, target, end - target);
        name[end - target] = 0;
        each(domain, name);
    }
}

static void poll_disk(virDomainPtr domain, const char *disk) {
    virDomainBlockStatsStruct stats;
    virDomainBlockInfo info;
    virDomainBlockStats(domain, disk, &stats, sizeof stats);
    virDomainGetBlockInfo(domain, disk, &info, 0);
}

static void poll_nic(virDomainPtr domain, const char *nic) {
    virDomainInterfaceStatsStruct stats;
    virDomainInterfaceStats(domain, nic, &stats, sizeof stats);
}

static void ignore_error(void *data, virErrorPtr error) { (void)data; (void)error; }

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s URI CYCLES\n", argv[0]);
        return 2;
    }
    virSetErrorFunc(NULL, ignore_error);
    print_memory("before-open");
    virConnectPtr connection = virConnectOpen(argv[1]);
    if (!connection) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    int cycles = atoi(argv[2]);
    for (int cycle = 0; cycle < cycles; cycle++) {
        virDomainPtr *domains = NULL;
        int count = virConnectListAllDomains(connection, &domains, 0);
        for (int i = 0; i < count; i++) {
            virDomainInfo info;
            virVcpuInfo vcpus[64];
            virTypedParameter cpu[16];
            virDomainMemoryStatStruct memory[VIR_DOMAIN_MEMORY_STAT_NR];
            virDomainGetInfo(domains[i], &info);
            virDomainGetVcpus(domains[i], vcpus, 64, NULL, 0);
            int params = virDomainGetCPUStats(domains[i], NULL, 0, -1, 1, 0);
            if (params > 0 && params <= 16) {
                virDomainGetCPUStats(domains[i], cpu, params, -1, 1, 0);
                virTypedParamsClear(cpu, params);
            }
            virDomainMemoryStats(domains[i], memory, VIR_DOMAIN_MEMORY_STAT_NR, 0);
            char *xml = virDomainGetXMLDesc(domains[i], 0);
            if (xml) {
                each_target(xml, "disk", domains[i], poll_disk);
                each_target(xml, "interface", domains[i], poll_nic);
                free(xml);
            }
            virDomainFree(domains[i]);
        }
        free(domains);
        if (cycle == 0) print_memory("after-first-cycle");
    }
    print_memory("after-all-cycles");
    virConnectClose(connection);
    return 0;
}
