/* Sorting (quicksort, insertion sort, merge sort) and binary search over a pseudo-random array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345u;

static unsigned next_random(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) & 0xffffffu;
}

static void insertion_sort(int *a, int n) {
    for (int i = 1; i < n; i++) {
        int key = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

static void quick_sort(int *a, int lo, int hi) {
    while (hi - lo > 16) {
        int pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi - 1;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                int t = a[i]; a[i] = a[j]; a[j] = t;
                i++; j--;
            }
        }
        if (j + 1 - lo < hi - i) {
            quick_sort(a, lo, j + 1);
            lo = i;
        } else {
            quick_sort(a, i, hi);
            hi = j + 1;
        }
    }
    insertion_sort(a + lo, hi - lo);
}

static void merge_sort(int *a, int *tmp, int n) {
    if (n < 2) return;
    int half = n / 2;
    merge_sort(a, tmp, half);
    merge_sort(a + half, tmp, n - half);
    int i = 0, j = half, k = 0;
    while (i < half && j < n) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < half) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof(int));
}

static int binary_search(const int *a, int n, int key) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return (lo < n && a[lo] == key) ? lo : -1;
}

static int compare_ints(const void *x, const void *y) {
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

int main(void) {
    enum { N = 3000 };
    int *a = malloc(N * sizeof(int));
    int *b = malloc(N * sizeof(int));
    int *c = malloc(N * sizeof(int));
    int *tmp = malloc(N * sizeof(int));
    for (int i = 0; i < N; i++) a[i] = (int)(next_random() % 100000) - 50000;
    memcpy(b, a, sizeof(int) * N);
    memcpy(c, a, sizeof(int) * N);
    quick_sort(a, 0, N);
    merge_sort(b, tmp, N);
    qsort(c, N, sizeof(int), compare_ints);
    int mismatches = 0;
    long long checksum = 0;
    for (int i = 0; i < N; i++) {
        if (a[i] != b[i] || a[i] != c[i]) mismatches++;
        if (i > 0 && a[i - 1] > a[i]) mismatches++;
        checksum = checksum * 31 + a[i];
    }
    printf("sorted %d values, mismatches %d, checksum %lld\n", N, mismatches, checksum);
    printf("min %d max %d median %d\n", a[0], a[N - 1], a[N / 2]);
    int found = 0, missing = 0;
    for (int k = -50000; k < 50000; k += 97) {
        int at = binary_search(a, N, k);
        if (at >= 0) {
            found++;
            if (a[at] != k || (at > 0 && a[at - 1] == k)) printf("bad search result for %d\n", k);
        } else missing++;
    }
    printf("search: found %d missing %d\n", found, missing);
    for (int i = 0; i < 10; i++) printf("%d%c", a[i * (N / 10)], i == 9 ? '\n' : ' ');
    free(a); free(b); free(c); free(tmp);
    return mismatches == 0 ? 0 : 1;
}
