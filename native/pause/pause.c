/*
 * pause: the process that holds a pod sandbox's namespaces open.
 * It does nothing but wait: exits 0 on SIGINT/SIGTERM, and as PID 1 of a shared PID namespace
 * it reaps orphaned children so they do not linger as zombies.
 * Built static (gcc -static -O2 -s) so the image needs no libc.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig)
{
    (void)sig;
    _exit(0);
}

static void on_child(int sig)
{
    (void)sig;
    /* One SIGCHLD may stand for several exits: reap until none is left. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
    {
    }
}

static int install(int sig, void (*handler)(int), int flags)
{
    struct sigaction action;
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    return sigaction(sig, &action, NULL);
}

int main(void)
{
    if (install(SIGINT, on_stop, 0) < 0 || install(SIGTERM, on_stop, 0) < 0 ||
        install(SIGCHLD, on_child, SA_NOCLDSTOP) < 0)
    {
        return 1;
    }
    for (;;)
    {
        pause();
    }
}
