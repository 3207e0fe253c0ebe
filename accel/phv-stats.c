/*
 * phv accelerator: the core's counters (phv_vcpu_stat: exits by kind, hcalls, instructions, halts, ...)
 * as the "phv" provider of QMP query-stats, per vcpu and summed per VM.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-stats.h"
#include "hw/core/cpu.h"
#include "system/stats.h"
#include "phv-int.h"

typedef struct PhvStatsQuery {
    strList *names;
    uint64_t *values;   /* phv_vcpu_stat_count() entries */
} PhvStatsQuery;

/* The core allows one thread per vcpu, so the counters are read on the vcpu's own thread. */
static void do_read_stats(CPUState *cs, run_on_cpu_data arg)
{
    PhvStatsQuery *q = arg.host_ptr;

    for (size_t i = 0; i < phv_vcpu_stat_count(); i++) {
        uint64_t v = 0;

        if (phv_vcpu_stat(cs->accel->vcpu, i, &v)) {
            q->values[i] = v;
        }
    }
}

static const char *stat_name(size_t i)
{
    CPUState *cs;
    uint64_t v;

    CPU_FOREACH(cs) {
        if (cs->accel && cs->accel->vcpu) {
            return phv_vcpu_stat(cs->accel->vcpu, i, &v);
        }
    }
    return NULL;
}

static StatsList *stats_list(strList *names, const uint64_t *values)
{
    StatsList *list = NULL;

    for (size_t i = phv_vcpu_stat_count(); i-- > 0;) {
        const char *name = stat_name(i);
        Stats *s;

        if (!name || !apply_str_list_filter(name, names)) {
            continue;
        }
        s = g_new0(Stats, 1);
        s->name = g_strdup(name);
        s->value = g_new0(StatsValue, 1);
        s->value->type = QTYPE_QNUM;
        s->value->u.scalar = values[i];
        QAPI_LIST_PREPEND(list, s);
    }
    return list;
}

static void phv_query_stats(StatsResultList **result, StatsTarget target, strList *names, strList *targets,
                            Error **errp)
{
    size_t n = phv_vcpu_stat_count();
    g_autofree uint64_t *sum = g_new0(uint64_t, n);
    g_autofree uint64_t *values = g_new0(uint64_t, n);
    PhvStatsQuery q = { .names = names, .values = values };
    CPUState *cs;

    switch (target) {
    case STATS_TARGET_VCPU:
        CPU_FOREACH(cs) {
            if (!cs->accel || !apply_str_list_filter(cs->parent_obj.canonical_path, targets)) {
                continue;
            }
            memset(values, 0, n * sizeof(*values));
            run_on_cpu(cs, do_read_stats, RUN_ON_CPU_HOST_PTR(&q));
            add_stats_entry(result, STATS_PROVIDER_PHV, cs->parent_obj.canonical_path,
                            stats_list(names, values));
        }
        break;
    case STATS_TARGET_VM:
        CPU_FOREACH(cs) {
            if (!cs->accel) {
                continue;
            }
            memset(values, 0, n * sizeof(*values));
            run_on_cpu(cs, do_read_stats, RUN_ON_CPU_HOST_PTR(&q));
            for (size_t i = 0; i < n; i++) {
                sum[i] += values[i];
            }
        }
        add_stats_entry(result, STATS_PROVIDER_PHV, NULL, stats_list(names, sum));
        break;
    default:
        break;
    }
}

static StatsSchemaValueList *schema_list(void)
{
    StatsSchemaValueList *list = NULL;

    for (size_t i = phv_vcpu_stat_count(); i-- > 0;) {
        const char *name = stat_name(i);
        StatsSchemaValue *v;

        if (!name) {
            continue;
        }
        v = g_new0(StatsSchemaValue, 1);
        v->name = g_strdup(name);
        v->type = STATS_TYPE_CUMULATIVE;
        QAPI_LIST_PREPEND(list, v);
    }
    return list;
}

static void phv_query_stats_schemas(StatsSchemaList **result, Error **errp)
{
    add_stats_schema(result, STATS_PROVIDER_PHV, STATS_TARGET_VCPU, schema_list());
    add_stats_schema(result, STATS_PROVIDER_PHV, STATS_TARGET_VM, schema_list());
}

void phv_stats_init(void)
{
    add_stats_callbacks(STATS_PROVIDER_PHV, phv_query_stats, phv_query_stats_schemas);
}
