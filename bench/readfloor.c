/*
 * readfloor.c - the I/O floor of a listing command: list a versions folder
 * and read the first 4 KiB of every *.sql file in it (openat, read, close),
 * as retort's header-only load does, and nothing else: no parsing, no
 * graph, no output.  With --stat it only stats every file (fstatat), which
 * is all a load whose header cache is warm must do.  bench/run.sh builds
 * it; the listing table shows it beside `retort heads` so that the cost of
 * reaching thousands of files on this machine is visible apart from
 * retort's own work.
 *
 *     readfloor [--stat] DIR
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096];
	struct dirent *e;
	unsigned long files = 0, bytes = 0;
	int stat_only = argc == 3 && !strcmp(argv[1], "--stat");
	const char *dir = argv[argc - 1];
	DIR *d;

	if (argc != 2 && !stat_only) {
		fputs("usage: readfloor [--stat] DIR\n", stderr);
		return 2;
	}
	if (!(d = opendir(dir))) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		ssize_t got;
		int fd;

		if (n <= 4 || e->d_name[0] == '.' || strcmp(e->d_name + n - 4, ".sql"))
			continue;
		files++;
		if (stat_only) {
			struct stat st;

			if (fstatat(dirfd(d), e->d_name, &st, 0) != 0) {
				perror(e->d_name);
				return 1;
			}
			bytes += (unsigned long)st.st_size;
			continue;
		}
		if ((fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC)) < 0) {
			perror(e->d_name);
			return 1;
		}
		if ((got = read(fd, buf, sizeof(buf))) > 0)
			bytes += (unsigned long)got;
		close(fd);
	}
	closedir(d);
	printf("%lu files, %lu bytes\n", files, bytes);
	return 0;
}
