/* A hashing loop: a tiny mixer called per word, and a helper returning two 32-bit halves packed in a uint64_t. */
#include <stdint.h>
#include <stdio.h>

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* One mixing round of a 32-bit state with a word. */
static uint32_t mix(uint32_t h, uint32_t k) {
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    k *= 0x1b873593u;
    h ^= k;
    h = rotl32(h, 13);
    return h * 5 + 0xe6546b64u;
}

/* Final avalanche of a 32-bit hash. */
static uint32_t fmix(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* Two lanes of state packed into one uint64_t: low half lane a, high half lane b. */
static uint64_t pack(uint32_t a, uint32_t b) { return (uint64_t)a | ((uint64_t)b << 32); }
static uint32_t lane_a(uint64_t s) { return (uint32_t)s; }
static uint32_t lane_b(uint64_t s) { return (uint32_t)(s >> 32); }

/* Advances both lanes by one word and returns them packed. */
static uint64_t step(uint64_t s, uint32_t w) {
    uint32_t a = mix(lane_a(s), w);
    uint32_t b = mix(lane_b(s), w ^ a);
    return pack(a, b);
}

/* xorshift32 word generator. */
static uint32_t next_word(uint32_t *x) {
    uint32_t v = *x;
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    *x = v;
    return v;
}

static uint32_t data[4096];

int main(void) {
    uint32_t seed = 2463534242u;
    for (int i = 0; i < 4096; i++) data[i] = next_word(&seed);

    uint64_t state = pack(0x9747b28cu, 0x12345678u);
    uint32_t total = 0;
    for (int round = 0; round < 3000; round++) {
        for (int i = 0; i < 4096; i++) state = step(state, data[i] + (uint32_t)round);
        total ^= fmix(lane_a(state)) + fmix(lane_b(state));
    }
    printf("hash: a=%08x b=%08x total=%08x\n", lane_a(state), lane_b(state), total);
    return 0;
}
