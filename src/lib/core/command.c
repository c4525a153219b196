/*
 * command.c - running a program the configuration names (schema_command):
 * its words split as a shell would split them but with no shell, its
 * output read with a time limit, its error output kept for the message.
 */
#define _GNU_SOURCE  /* pipe2, posix_spawn_file_actions_addchdir_np */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

extern char **environ;

/*
 * Split `s` into words: blanks separate them; '...' keeps everything
 * inside as it is; "..." keeps everything but lets a backslash escape
 * '"' and '\'; a backslash outside quotes takes the next character as
 * it is.  No expansion of any kind: the words go to the program as they
 * are written.  An unterminated quote or a trailing backslash is an
 * error naming the column.
 */
int rt_split_words(rt_strlist *out, const char *s, rt_buf *err)
{
	rt_buf word = RT_BUF_INIT;
	const char *p = s;
	int in_word = 0, rc = 0;

	for (;;) {
		char c = *p;

		if (!c || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				if (rt_buf_oom(&word) || rt_strlist_add(out, word.ptr ? word.ptr : "") < 0) {
					rc = rt_error(err, RETORT_ERROR, "out of memory");
					break;
				}
				rt_buf_clear(&word);
				in_word = 0;
			}
			if (!c)
				break;
			p++;
			continue;
		}
		in_word = 1;
		if (c == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end) {
				rc = rt_error(err, RETORT_EUSAGE, "unterminated ' at column %zu",
					      (size_t)(p - s) + 1);
				break;
			}
			rt_buf_put(&word, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (c == '"') {
			const char *q = p + 1;
			while (*q && *q != '"') {
				if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
					q++;
				rt_buf_putc(&word, *q++);
			}
			if (!*q) {
				rc = rt_error(err, RETORT_EUSAGE, "unterminated \" at column %zu",
					      (size_t)(p - s) + 1);
				break;
			}
			p = q + 1;
		} else if (c == '\\') {
			if (!p[1]) {
				rc = rt_error(err, RETORT_EUSAGE, "a '\\' ends the line");
				break;
			}
			rt_buf_putc(&word, p[1]);
			p += 2;
		} else {
			rt_buf_putc(&word, c);
			p++;
		}
	}
	rt_buf_release(&word);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Read what is there; 0 at end of file. */
static int drain(int fd, rt_buf *into)
{
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n > 0)
		rt_buf_put(into, chunk, (size_t)n);
	return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : n > 0;
}

int rt_command_run(rt_command *c, rt_buf *err)
{
	posix_spawn_file_actions_t fa;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, open_fds = 2, status = 0, rc = 0;
	size_t nenv = 0, i;
	char **envp = NULL;
	double deadline;
	pid_t pid;

	rt_buf_clear(&c->out);
	rt_buf_clear(&c->err);
	c->exit_status = -1;
	c->timed_out = 0;
	if (!c->argv || !c->argv[0])
		return rt_error(err, RETORT_EUSAGE, "no program to run");
	while (environ[nenv])
		nenv++;
	if (!(envp = calloc(nenv + c->nenv + 1, sizeof(*envp))))
		return rt_error(err, RETORT_ERROR, "out of memory");
	for (i = 0; i < c->nenv; i++)
		envp[i] = (char *)c->env[i];
	/* the program's own settings go first: getenv takes the first */
	memcpy(envp + c->nenv, environ, nenv * sizeof(*envp));
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		rc = rt_error(err, RETORT_ERROR, "cannot make a pipe: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (c->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, c->cwd);
	errno = posix_spawnp(&pid, c->argv[0], &fa, NULL, (char *const *)c->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	if (errno) {
		rc = rt_error(err, RETORT_ENOTFOUND, "cannot run '%s': %s", c->argv[0],
			      strerror(errno));
		goto done;
	}
	deadline = now_ms() + (c->timeout_ms > 0 ? c->timeout_ms : 60000);
	while (open_fds) {
		struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
		double left = deadline - now_ms();

		if (left <= 0) {
			c->timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(pf, 2, (int)left + 1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			int *fd = i ? &errp[0] : &out[0];
			if (*fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !drain(*fd, i ? &c->err : &c->out)) {
				close(*fd);
				*fd = -1;
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!c->timed_out)
		c->exit_status = WIFEXITED(status) ? WEXITSTATUS(status)
			       : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (rt_buf_oom(&c->out) || rt_buf_oom(&c->err))
		rc = rt_error(err, RETORT_ERROR, "out of memory");
done:
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	free(envp);
	return rc;
}

void rt_command_release(rt_command *c)
{
	rt_buf_release(&c->out);
	rt_buf_release(&c->err);
}
