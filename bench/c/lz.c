/* An LZ77-style compressor with a hash-chain match finder over a generated 256 KiB text; the match
   finder returns length and distance as two 32-bit halves packed in a uint64_t. Decompresses and checks. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N (256 * 1024)
#define WINDOW 4096
#define MIN_MATCH 4
#define MAX_MATCH 255
#define HASH_BITS 13
#define MAX_CHAIN 32

static uint8_t input[N];
static uint8_t packed[N * 2];
static uint8_t output[N];
static int32_t head[1 << HASH_BITS];
static int32_t prev[N];

/* Length in the low half, distance in the high half. */
static uint64_t make_match(uint32_t length, uint32_t distance) { return (uint64_t)length | ((uint64_t)distance << 32); }
static uint32_t match_length(uint64_t m) { return (uint32_t)m; }
static uint32_t match_distance(uint64_t m) { return (uint32_t)(m >> 32); }

static uint32_t hash4(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* The longest earlier match for position i along the hash chain. */
static uint64_t find_match(int i) {
    uint32_t best = 0, best_distance = 0;
    int limit = N - i < MAX_MATCH ? N - i : MAX_MATCH;
    int32_t candidate = head[hash4(&input[i])];
    for (int chain = 0; candidate >= 0 && chain < MAX_CHAIN && i - candidate <= WINDOW; chain++) {
        int length = 0;
        while (length < limit && input[candidate + length] == input[i + length]) length++;
        if ((uint32_t)length > best) { best = (uint32_t)length; best_distance = (uint32_t)(i - candidate); }
        candidate = prev[candidate];
    }
    return make_match(best, best_distance);
}

static void insert(int i) {
    if (i + MIN_MATCH > N) return;
    uint32_t h = hash4(&input[i]);
    prev[i] = head[h];
    head[h] = i;
}

/* Tokens: 0 then a literal byte, or a length byte (>= MIN_MATCH) then a 16-bit distance. */
static int compress(void) {
    memset(head, 0xff, sizeof head);
    int out = 0, i = 0;
    while (i < N) {
        uint64_t m = i + MIN_MATCH <= N ? find_match(i) : make_match(0, 0);
        if (match_length(m) >= MIN_MATCH) {
            uint32_t length = match_length(m), distance = match_distance(m);
            packed[out++] = (uint8_t)length;
            packed[out++] = (uint8_t)distance;
            packed[out++] = (uint8_t)(distance >> 8);
            for (uint32_t k = 0; k < length; k++) insert(i + (int)k);
            i += (int)length;
        } else {
            packed[out++] = 0;
            packed[out++] = input[i];
            insert(i);
            i++;
        }
    }
    return out;
}

static int decompress(int size) {
    int in = 0, out = 0;
    while (in < size) {
        uint8_t length = packed[in++];
        if (length == 0) {
            output[out++] = packed[in++];
        } else {
            int distance = packed[in] | (packed[in + 1] << 8);
            in += 2;
            for (int k = 0; k < length; k++, out++) output[out] = output[out - distance];
        }
    }
    return out;
}

int main(void) {
    static const char *words[] = {"lathe", "wasm", "inline", "call", "graph", "the", "of", "block", "value", "loop", "a", "spill"};
    uint32_t seed = 12345;
    int n = 0;
    while (n < N) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 12];
        while (*w && n < N) input[n++] = (uint8_t)*w++;
        if (n < N) input[n++] = (seed >> 8) % 7 == 0 ? '\n' : ' ';
    }
    uint32_t total = 0, check = 0;
    for (int round = 0; round < 3; round++) {
        input[round * 977] ^= (uint8_t)round;
        int size = compress();
        int back = decompress(size);
        int same = back == N && memcmp(input, output, N) == 0;
        for (int k = 0; k < size; k++) check = check * 31 + packed[k];
        total += (uint32_t)size;
        printf("round %d: %d -> %d bytes, roundtrip %s\n", round, N, size, same ? "ok" : "FAILED");
    }
    printf("lz: total=%u check=%08x\n", total, check);
    return 0;
}
