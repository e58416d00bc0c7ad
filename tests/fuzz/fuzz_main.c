/* tests/fuzz/fuzz_main.c: the replayer for builds without libFuzzer (gcc):
 * every file named on the command line, and every regular file of every
 * directory named there (in name order), goes once through the target's
 * LLVMFuzzerTestOneInput.  Arguments starting with '-' are libFuzzer
 * flags and are ignored, so one command line serves both builds. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INPUT_MAX	(16u << 20)	/* larger files are not inputs */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long ran;

/* Run one file: 0, or -1 when it cannot be read. */
static int
run_file(const char *path)
{
	FILE *fp;
	uint8_t *buf = NULL;
	long size;
	int rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "fuzz_main: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (size = ftell(fp)) < 0 ||
	    (unsigned long)size > INPUT_MAX || fseek(fp, 0, SEEK_SET) == -1) {
		fprintf(stderr, "fuzz_main: %s: cannot size it (or larger "
		    "than %u bytes)\n", path, INPUT_MAX);
		goto out;
	}
	/* An exact-size heap block: ASan sees a read one byte past it. */
	if ((buf = malloc(size > 0 ? (size_t)size : 1)) == NULL ||
	    fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		fprintf(stderr, "fuzz_main: %s: read failed\n", path);
		goto out;
	}
	(void)LLVMFuzzerTestOneInput(buf, (size_t)size);
	ran++;
	rc = 0;
out:
	free(buf);
	fclose(fp);
	return rc;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
run_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, rc = 0;

	if ((n = scandir(dir, &names, NULL, by_name)) == -1) {
		fprintf(stderr, "fuzz_main: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) < sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    run_file(path) == -1)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "fuzz_main: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) == -1 :
		    run_file(argv[i]) == -1)
			rc = 1;
	}
	printf("%s: %lu inputs ran\n", argv[0], ran);
	if (ran == 0) {
		fprintf(stderr, "fuzz_main: no input (usage: %s FILE|DIR...)\n",
		    argv[0]);
		rc = 1;
	}
	return rc;
}
