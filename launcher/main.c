/* SPDX-License-Identifier: MIT */
/*
 * clawjail: the execution boundary for an AI agent's tool calls.
 *
 * main() only dispatches to a command; the pipeline stages live in
 *   shell/ (parse)  ->  validate/ (verdict)  ->  profile/ (policy)
 *   ->  sandbox/ (plan + namespaces)  ->  tracker/ (budget, journal),
 * and proto/ speaks the JSON tool-call protocol on top of them.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "sandbox/proctitle.h"
#include "util/phase.h"

static const cj_command commands[] = {
        { "run", cmd_run, "run an argv in the sandbox" },
        { "exec", cmd_exec, "validate a bash command, then run it in the sandbox" },
        { "check", cmd_check, "validation only: print the verdict, run nothing" },
        { "call", cmd_call, "one JSON tool call on stdin, one JSON result on stdout" },
        { "serve", cmd_serve, "JSON lines: one call per line in, one result per line out" },
        { "mcp", cmd_mcp, "stdio MCP server: exec/read/write/edit/check tools for any agent" },
        { "doctor", cmd_doctor, "what this host supports and what to change" },
        { "audit", cmd_audit, "what an agent did: a report from its tasks' journals" },
        { "task", cmd_task, "list|status|create|set-budget|charge|stop|resume|clean|delete|prune" },
        { "approve", cmd_approve, "approve a task's ask request (operator)" },
        { "deny", cmd_deny, "refuse a task's ask request (operator)" },
        { "approvals", cmd_approvals, "list a task's approval requests" },
        { "checkpoint", cmd_checkpoint, "save|load|list a task's checkpoints" },
        { "journal", cmd_journal, "show|verify|head a task's audit journal" },
        { "profile", cmd_profile, "list|show|lint|seccomp profiles" },
};

static void usage(FILE *f) {
        fputs("Usage: clawjail COMMAND [OPTIONS] ...\n"
              "\n"
              "The execution boundary for an AI agent's exec/read/write tool calls:\n"
              "bash validation chain -> profile policy -> Linux sandbox -> task tracker.\n"
              "\n"
              "Commands:\n",
              f);
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
        fputs("\n"
              "Run 'clawjail COMMAND --help' for a command's options.\n"
              "Exit codes (run, exec, call): the child's code; 120 denied; 121 approval\n"
              "required; 122 budget exhausted, task stopped or loop; 124 timeout; 125 clawjail\n"
              "failed; 126/127 not executable/not found; 128+N killed by signal N.\n"
              "\n"
              "  --help       show this help\n"
              "  --version    print the version\n",
              f);
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 125;
        }
        /* Writes to a closed pipe (a harness that went away, a sandbox that died
         * during setup) are errors to handle, not a reason to die. */
        signal(SIGPIPE, SIG_IGN);
        cj_proctitle_init(argc, argv);
        const char *name = argv[1];
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(name, "--version") == 0) {
                printf("clawjail %s\n", CJ_VERSION);
                return 0;
        }
        cj_phase("exec+init");
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(name, commands[i].name) == 0) {
                        int r = commands[i].main(argc - 1, argv + 1);
                        cj_phase("cli-end");
                        cj_phase_dump("launcher");
                        return r;
                }
        fprintf(stderr, "clawjail: unknown command '%s' (see 'clawjail --help')\n", name);
        return 125;
}
