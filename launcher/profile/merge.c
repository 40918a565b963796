/* SPDX-License-Identifier: MIT */
/* `extends`: a child narrows its parent.  Every section a child may widen
 * only by naming it in "widen" (which is not inherited). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/host.h"
#include "schema.h"
#include "util/fileio.h"
#include "util/json.h"

static bool widens(const json_t *child, const char *section) {
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(child, "widen"), i, e) if (strcmp(json_string_value(e), section) == 0) return true;
        return false;
}

static bool under_any(const char *p, const json_t *roots) {
        size_t i;
        const json_t *e;
        json_array_foreach(roots, i, e) if (cj_path_is_under(p, json_string_value(e))) return true;
        return false;
}

static int narrow_err(cj_error *err, const char *file, const char *key, const char *what, const char *section) {
        return cj_error_set(err, EPERM, "%s: %s: %s (the parent does not grant it; add \"%s\" to \"widen\" to allow)",
                            file, key, what, section);
}

/* Union of two string arrays, order kept, duplicates dropped. */
static json_t *str_union(const json_t *a, const json_t *b) {
        json_t *out = a ? json_deep_copy(a) : json_array();
        size_t i, j;
        const json_t *e, *f;
        json_array_foreach(b, i, e) {
                bool dup = false;
                json_array_foreach(out, j, f) if (json_equal(e, f)) dup = true;
                if (!dup)
                        json_array_append(out, (json_t *) e);
        }
        return out;
}

static int merge_fs(json_t *m, const json_t *pfs, const json_t *cfs, const json_t *child, const char *file,
                    cj_error *err) {
        bool wide = widens(child, "filesystem");
        json_t *out = json_object_get(m, "filesystem");
        const json_t *prw = json_object_get(pfs, "rw"), *pro = json_object_get(pfs, "ro");
        size_t i;
        const json_t *e;
        const json_t *rw = json_object_get(cfs, "rw");
        if (rw) {
                json_array_foreach(rw, i, e) if (!wide && !under_any(json_string_value(e), prw)) return narrow_err(
                        err, file, "filesystem.rw", json_string_value(e), "filesystem");
                json_object_set(out, "rw", (json_t *) rw);
        }
        const json_t *ro = json_object_get(cfs, "ro");
        if (ro) {
                json_array_foreach(ro, i, e) {
                        const char *p = json_string_value(e);
                        if (!wide && !under_any(p, pro) && !under_any(p, prw))
                                return narrow_err(err, file, "filesystem.ro", p, "filesystem");
                }
                json_object_set(out, "ro", (json_t *) ro);
        }
        /* deny_except, like ro: a child keeps what it lists of its parent's
         * exceptions (masking more is narrowing); a new one reopens a path. */
        const json_t *dx = json_object_get(cfs, "deny_except");
        if (dx) {
                const json_t *pdx = json_object_get(pfs, "deny_except");
                json_array_foreach(dx, i, e) {
                        bool known = false;
                        size_t j;
                        const json_t *f;
                        json_array_foreach(pdx, j, f) if (json_equal(e, f)) known = true;
                        if (!known && !wide)
                                return narrow_err(err, file, "filesystem.deny_except", json_string_value(e),
                                                  "filesystem");
                }
                json_object_set(out, "deny_except", (json_t *) dx);
        }
        static const char *const unions[] = { "tmpfs", "deny", "protect" };
        for (size_t k = 0; k < 3; k++) {
                const json_t *c = json_object_get(cfs, unions[k]);
                if (c)
                        json_object_set_new(out, unions[k], str_union(json_object_get(pfs, unions[k]), c));
        }
        return 0;
}

static bool port_in(const json_t *port, const json_t *ports) {
        size_t i;
        const json_t *e;
        json_array_foreach(ports, i, e) if (json_equal(e, port)) return true;
        return false;
}

static bool pattern_covered(const char *pat, const json_t *allow) {
        size_t i;
        const json_t *e;
        json_array_foreach(allow, i, e) if (cj_net_pattern_covers(json_string_value(e), pat)) return true;
        return false;
}

/* network, egress and loopback_ports.  A parent with the host network grants
 * every host and port; otherwise a child's allow patterns must be covered by
 * the parent's, its ports and loopback_ports be the parent's or fewer, its
 * pins (which may name private addresses) be the parent's; deny is a union. */
static int merge_network(json_t *m, const json_t *parent, const json_t *child, const char *file, cj_error *err) {
        bool wide = widens(child, "network");
        const char *pn = json_string_value(json_object_get(parent, "network"));
        bool phost = strcmp(pn, "host") == 0;
        const json_t *net = json_object_get(child, "network");
        if (net) {
                int from = cj_net_mode_parse(pn), to = cj_net_mode_parse(json_string_value(net));
                if (!wide && !cj_net_mode_narrows((cj_net_mode) from, (cj_net_mode) to))
                        return narrow_err(err, file, "network", json_string_value(net), "network");
                json_object_set(m, "network", (json_t *) net);
        }
        const json_t *peg = json_object_get(parent, "egress"), *ceg = json_object_get(child, "egress");
        json_t *meg = json_object_get(m, "egress");
        size_t i;
        const json_t *e;
        const json_t *allow = json_object_get(ceg, "allow");
        if (allow) {
                json_array_foreach(allow, i, e) if (!wide && !phost &&
                                                    !pattern_covered(json_string_value(e), json_object_get(peg, "allow")))
                        return narrow_err(err, file, "egress.allow", json_string_value(e), "network");
                json_object_set(meg, "allow", (json_t *) allow);
        }
        const json_t *deny = json_object_get(ceg, "deny");
        if (deny)
                json_object_set_new(meg, "deny", str_union(json_object_get(peg, "deny"), deny));
        const json_t *ports = json_object_get(ceg, "ports");
        if (ports) {
                json_array_foreach(ports, i, e) if (!wide && !phost && !port_in(e, json_object_get(peg, "ports"))) {
                        char what[32];
                        snprintf(what, sizeof what, "port %lld", (long long) json_integer_value(e));
                        return narrow_err(err, file, "egress.ports", what, "network");
                }
                json_object_set(meg, "ports", (json_t *) ports);
        }
        const json_t *pins = json_object_get(ceg, "resolve");
        if (pins) {
                const json_t *ppins = json_object_get(peg, "resolve");
                const char *k;
                json_object_foreach((json_t *) pins, k, e) if (!wide && !phost &&
                                                              !json_equal(e, json_object_get(ppins, k)))
                        return narrow_err(err, file, "egress.resolve", k, "network");
                json_object_set(meg, "resolve", (json_t *) pins);
        }
        const json_t *lports = json_object_get(child, "loopback_ports");
        if (lports) {
                json_array_foreach(lports, i, e) if (!wide && !phost &&
                                                     !port_in(e, json_object_get(parent, "loopback_ports"))) {
                        char what[32];
                        snprintf(what, sizeof what, "port %lld", (long long) json_integer_value(e));
                        return narrow_err(err, file, "loopback_ports", what, "network");
                }
                json_object_set(m, "loopback_ports", (json_t *) lports);
        }
        return 0;
}

static int merge_numbers(json_t *m, const char *section, const json_t *parent, const json_t *child, const char *file,
                         cj_error *err) {
        const json_t *c = json_object_get(child, section);
        if (!c)
                return 0;
        bool wide = widens(child, section);
        json_t *out = json_object_get(m, section);
        const json_t *p = json_object_get(parent, section);
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *) c, key, v) {
                const json_t *pv = json_object_get(p, key);
                if (!wide && pv && json_number_value(v) > json_number_value(pv)) {
                        char k[128], what[128];
                        snprintf(k, sizeof k, "%s.%s", section, key);
                        snprintf(what, sizeof what, "%g is above the parent's %g", json_number_value(v),
                                 json_number_value(pv));
                        return narrow_err(err, file, k, what, section);
                }
                json_object_set(out, key, (json_t *) v);
        }
        return 0;
}

static int strictness(const char *v) {
        return strcmp(v, "deny") == 0 ? 2 : strcmp(v, "ask") == 0 ? 1 : 0;
}

static int merge_validation(json_t *m, const json_t *parent, const json_t *child, const char *file, cj_error *err) {
        const json_t *c = json_object_get(child, "validation");
        if (!c)
                return 0;
        bool wide = widens(child, "validation");
        json_t *out = json_object_get(m, "validation");
        const json_t *p = json_object_get(parent, "validation");
        const char *pdef = json_string_value(json_object_get(p, "default"));
        const json_t *cdef = json_object_get(c, "default");
        if (cdef) {
                if (!wide && pdef && strictness(json_string_value(cdef)) < strictness(pdef))
                        return narrow_err(err, file, "validation.default", "less strict than the parent's",
                                          "validation");
                json_object_set(out, "default", (json_t *) cdef);
        }
        const json_t *rules = json_object_get(c, "rules");
        if (rules) {
                size_t i;
                const json_t *r;
                json_array_foreach(rules, i, r) {
                        const char *v = json_string_value(json_object_get(r, "verdict"));
                        if (!wide && pdef && strictness(v) < strictness(pdef))
                                return narrow_err(err, file, "validation.rules", "an allow rule under a stricter default",
                                                  "validation");
                }
                json_object_set_new(out, "rules", str_union(json_object_get(p, "rules"), rules));
        }
        const json_t *inc = json_object_get(c, "include"); /* already expanded into rules */
        if (inc)
                json_object_set_new(out, "include", str_union(json_object_get(p, "include"), inc));
        const json_t *off = json_object_get(c, "off");
        if (off) {
                size_t i;
                const json_t *e;
                json_t *poff = json_object_get(p, "off");
                json_array_foreach(off, i, e) {
                        bool known = false;
                        size_t j;
                        const json_t *f;
                        json_array_foreach(poff, j, f) if (json_equal(e, f)) known = true;
                        if (!known && !wide)
                                return narrow_err(err, file, "validation.off", json_string_value(e), "validation");
                }
                json_object_set_new(out, "off", str_union(poff, off));
        }
        return 0;
}

static int merge_env(json_t *m, const json_t *parent, const json_t *child, const char *file, cj_error *err) {
        const json_t *c = json_object_get(child, "env");
        if (!c)
                return 0;
        bool wide = widens(child, "env");
        json_t *out = json_object_get(m, "env");
        const json_t *pkeep = json_object_get(json_object_get(parent, "env"), "keep");
        const json_t *keep = json_object_get(c, "keep");
        if (keep) {
                size_t i, j;
                const json_t *e, *f;
                json_array_foreach(keep, i, e) {
                        bool known = false;
                        json_array_foreach(pkeep, j, f) if (json_equal(e, f)) known = true;
                        if (!known && !wide)
                                return narrow_err(err, file, "env.keep", json_string_value(e), "env");
                }
                json_object_set(out, "keep", (json_t *) keep);
        }
        const json_t *set = json_object_get(c, "set");
        if (set)
                json_object_update(json_object_get(out, "set"), (json_t *) set);
        return 0;
}

int cj_profile_merge(const json_t *parent, const json_t *child, const char *file, json_t **out, cj_error *err) {
        _cleanup_json_ json_t *m = json_deep_copy(parent);
        if (!m)
                return -ENOMEM;
        int r = 0;
        const json_t *cfs = json_object_get(child, "filesystem");
        if (cfs)
                r = merge_fs(m, json_object_get(parent, "filesystem"), cfs, child, file, err);
        if (r < 0)
                return r;

        if ((r = merge_network(m, parent, child, file, err)) < 0)
                return r;
        const json_t *ov = json_object_get(child, "network_override");
        if (ov) {
                if (!widens(child, "network") && strcmp(json_string_value(ov), "any") == 0 &&
                    strcmp(json_string_value(json_object_get(parent, "network_override")), "any") != 0)
                        return narrow_err(err, file, "network_override", "any", "network");
                json_object_set(m, "network_override", (json_t *) ov);
        }
        const json_t *sc = json_object_get(child, "seccomp");
        if (sc) {
                if (!widens(child, "seccomp") && !json_equal(sc, json_object_get(parent, "seccomp")))
                        return narrow_err(err, file, "seccomp", json_string_value(sc), "seccomp");
                json_object_set(m, "seccomp", (json_t *) sc);
        }
        if ((r = merge_numbers(m, "limits", parent, child, file, err)) < 0 ||
            (r = merge_numbers(m, "budget", parent, child, file, err)) < 0 ||
            (r = merge_validation(m, parent, child, file, err)) < 0 || (r = merge_env(m, parent, child, file, err)) < 0)
                return r;
        static const char *const plain[] = { "description", "run_as" };
        for (size_t i = 0; i < 2; i++) {
                const json_t *v = json_object_get(child, plain[i]);
                if (v)
                        json_object_set(m, plain[i], (json_t *) v);
        }
        *out = TAKE_PTR(m);
        return 0;
}

int cj_profile_fill_defaults(json_t *doc) {
        static const char *const objs[] = { "filesystem", "limits", "budget", "validation", "env" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(objs); i++)
                if (!json_object_get(doc, objs[i]))
                        json_object_set_new(doc, objs[i], json_object());
        json_t *fs = json_object_get(doc, "filesystem");
        static const char *const lists[] = { "ro", "rw", "tmpfs", "deny", "deny_except", "protect" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(lists); i++)
                if (!json_object_get(fs, lists[i]))
                        json_object_set_new(fs, lists[i], json_array());
        json_t *val = json_object_get(doc, "validation");
        if (!json_object_get(val, "default"))
                json_object_set_new(val, "default", json_string("ask"));
        if (!json_object_get(val, "rules"))
                json_object_set_new(val, "rules", json_array());
        if (!json_object_get(val, "off"))
                json_object_set_new(val, "off", json_array());
        json_t *env = json_object_get(doc, "env");
        if (!json_object_get(env, "keep"))
                json_object_set_new(env, "keep", json_array());
        if (!json_object_get(env, "set"))
                json_object_set_new(env, "set", json_object());
        if (!json_object_get(doc, "network"))
                json_object_set_new(doc, "network", json_string("none"));
        if (!json_object_get(doc, "egress"))
                json_object_set_new(doc, "egress", json_object());
        json_t *eg = json_object_get(doc, "egress");
        if (!json_object_get(eg, "allow"))
                json_object_set_new(eg, "allow", json_array());
        if (!json_object_get(eg, "deny"))
                json_object_set_new(eg, "deny", json_array());
        if (!json_object_get(eg, "ports"))
                json_object_set_new(eg, "ports", json_pack("[i,i]", 80, 443));
        if (!json_object_get(eg, "resolve"))
                json_object_set_new(eg, "resolve", json_object());
        if (!json_object_get(doc, "loopback_ports"))
                json_object_set_new(doc, "loopback_ports", json_array());
        if (!json_object_get(doc, "network_override"))
                json_object_set_new(doc, "network_override", json_string("narrow"));
        if (!json_object_get(doc, "seccomp"))
                json_object_set_new(doc, "seccomp", json_string("default"));
        if (!json_object_get(doc, "run_as"))
                json_object_set_new(doc, "run_as", json_string("nobody"));
        return 0;
}
