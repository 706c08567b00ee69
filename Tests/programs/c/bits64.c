/* 64-bit integer arithmetic and bit tricks: popcount, rotations, multiply-high, gcd, primes, hashing. */
#include <stdint.h>
#include <stdio.h>

static int popcount_loop(uint64_t x) {
    int n = 0;
    while (x) { x &= x - 1; n++; }
    return n;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xorshift_state[2] = {0x9E3779B97F4A7C15ull, 0xD1B54A32D192ED03ull};

static uint64_t xoroshiro(void) {
    uint64_t s0 = xorshift_state[0], s1 = xorshift_state[1];
    uint64_t result = s0 + s1;
    s1 ^= s0;
    xorshift_state[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
    xorshift_state[1] = rotl(s1, 37);
    return result;
}

static uint64_t mulhi(uint64_t a, uint64_t b) {
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;
    return (hi_lo >> 32) + (cross >> 32) + hi_hi;
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) { uint64_t t = a % b; a = b; b = t; }
    return a;
}

/* a * b % mod for mod < 2^62, by doubling (no 128-bit division). */
static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t mod) {
    uint64_t result = 0;
    a %= mod;
    while (b) {
        if (b & 1) { result += a; if (result >= mod) result -= mod; }
        a <<= 1;
        if (a >= mod) a -= mod;
        b >>= 1;
    }
    return result;
}

static uint64_t powmod(uint64_t base, uint64_t exp, uint64_t mod) {
    uint64_t result = 1;
    base %= mod;
    while (exp) {
        if (exp & 1) result = mulmod(result, base, mod);
        base = mulmod(base, base, mod);
        exp >>= 1;
    }
    return result;
}

static int is_prime(uint64_t n) {
    if (n < 2) return 0;
    static const uint64_t witnesses[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    uint64_t d = n - 1;
    int r = 0;
    while ((d & 1) == 0) { d >>= 1; r++; }
    for (int i = 0; i < 12; i++) {
        uint64_t a = witnesses[i];
        if (a % n == 0) continue;
        uint64_t x = powmod(a, d, n);
        if (x == 1 || x == n - 1) continue;
        int composite = 1;
        for (int j = 1; j < r; j++) {
            x = mulmod(x, x, n);
            if (x == n - 1) { composite = 0; break; }
        }
        if (composite) return 0;
    }
    return 1;
}

static int64_t signed_ops(int64_t a, int64_t b) {
    int64_t q = b ? a / b : 0, m = b ? a % b : 0;
    return (q ^ (m << 7)) + (a >> 3) - (int64_t)((uint64_t)b >> 60);
}

int main(void) {
    uint64_t h = 1469598103934665603ull;
    int pops = 0, clz = 0, ctz = 0;
    for (int i = 0; i < 2000; i++) {
        uint64_t r = xoroshiro();
        pops += popcount_loop(r);
        if (popcount_loop(r) != __builtin_popcountll(r)) printf("popcount mismatch\n");
        clz += __builtin_clzll(r | 1);
        ctz += __builtin_ctzll(r | (1ull << 63));
        h = (h ^ r) * 1099511628211ull;
    }
    printf("hash %016llx pop %d clz %d ctz %d\n", (unsigned long long)h, pops, clz, ctz);
    uint64_t a = 0xFEDCBA9876543210ull, b = 0x0123456789ABCDEFull;
    printf("mulhi %016llx, builtin %016llx\n", (unsigned long long)mulhi(a, b), (unsigned long long)(((unsigned __int128)a * b) >> 64));
    printf("gcd %llu %llu\n", (unsigned long long)gcd(1071ull * 1000003ull, 462ull * 1000003ull), (unsigned long long)gcd(a, b));
    int primes = 0;
    uint64_t last = 0;
    for (uint64_t n = 1000000000000ull; n < 1000000000000ull + 200; n++) if (is_prime(n)) { primes++; last = n; }
    printf("primes near 1e12: %d, last %llu\n", primes, (unsigned long long)last);
    int64_t s = 0;
    for (int64_t i = -5000; i < 5000; i += 7) s += signed_ops(i * 123456789, (i % 13) - 6);
    printf("signed %lld\n", (long long)s);
    uint32_t w = 0xDEADBEEF;
    printf("bswap %08x rot %08x %016llx\n", __builtin_bswap32(w), (w << 13) | (w >> 19), (unsigned long long)__builtin_bswap64(a));
    return 0;
}
