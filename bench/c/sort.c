/* Sorting: a recursive quicksort with a compare helper, then a heap sort, on pseudo-random 32-bit keys. */
#include <stdint.h>
#include <stdio.h>

#define N 400000

static uint32_t keys[N];
static uint32_t work[N];

static int less(uint32_t a, uint32_t b) { return a < b; }

static void swap(uint32_t *a, uint32_t *b) {
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(uint32_t *a, int lo, int hi) {
    while (hi - lo > 16) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (less(a[i], pivot)) i++;
            while (less(pivot, a[j])) j--;
            if (i <= j) swap(&a[i++], &a[j--]);
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    for (int i = lo + 1; i <= hi; i++)
        for (int k = i; k > lo && less(a[k], a[k - 1]); k--) swap(&a[k], &a[k - 1]);
}

static void sift_down(uint32_t *a, int root, int n) {
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && less(a[child], a[child + 1])) child++;
        if (!less(a[root], a[child])) return;
        swap(&a[root], &a[child]);
        root = child;
    }
}

static void heapsort(uint32_t *a, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift_down(a, i, n);
    for (int end = n - 1; end > 0; end--) {
        swap(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

/* Checks order and folds the keys into a checksum; returns 0 when out of order. */
static uint32_t checksum(const uint32_t *a, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) return 0;
        h = (h ^ a[i]) * 16777619u;
    }
    return h;
}

int main(void) {
    uint64_t s = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        keys[i] = (uint32_t)(s >> 16);
    }
    for (int i = 0; i < N; i++) work[i] = keys[i];
    quicksort(work, 0, N - 1);
    uint32_t q = checksum(work, N);
    for (int i = 0; i < N; i++) work[i] = keys[i];
    heapsort(work, N);
    uint32_t h = checksum(work, N);
    printf("sort: quick=%08x heap=%08x median=%08x\n", q, h, work[N / 2]);
    return 0;
}
