/* Floating-point numerics printed with %g, %f and %e: series, Newton's method, a tiny matrix solve. */
#include <math.h>
#include <stdio.h>

typedef struct { double x, y, z; } Vec3;

static Vec3 vec_add(Vec3 a, Vec3 b) { Vec3 r = {a.x + b.x, a.y + b.y, a.z + b.z}; return r; }
static Vec3 vec_scale(Vec3 a, double s) { Vec3 r = {a.x * s, a.y * s, a.z * s}; return r; }
static double vec_dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static Vec3 vec_cross(Vec3 a, Vec3 b) {
    Vec3 r = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return r;
}

static double newton_sqrt(double v) {
    double x = v > 1 ? v : 1;
    for (int i = 0; i < 60; i++) {
        double next = 0.5 * (x + v / x);
        if (next == x) break;
        x = next;
    }
    return x;
}

static double leibniz_pi(int terms) {
    double sum = 0;
    for (int k = 0; k < terms; k++) sum += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
    return sum;
}

static float harmonic_f(int n) {
    float s = 0;
    for (int i = n; i >= 1; i--) s += 1.0f / (float)i;
    return s;
}

/* Gaussian elimination with partial pivoting on a 4x4 system. */
static void solve(double m[4][5], double out[4]) {
    for (int c = 0; c < 4; c++) {
        int best = c;
        for (int r = c + 1; r < 4; r++) if (fabs(m[r][c]) > fabs(m[best][c])) best = r;
        for (int k = 0; k < 5; k++) { double t = m[c][k]; m[c][k] = m[best][k]; m[best][k] = t; }
        for (int r = 0; r < 4; r++) {
            if (r == c) continue;
            double f = m[r][c] / m[c][c];
            for (int k = c; k < 5; k++) m[r][k] -= f * m[c][k];
        }
    }
    for (int r = 0; r < 4; r++) out[r] = m[r][4] / m[r][r];
}

int main(void) {
    for (int i = 0; i <= 8; i++) {
        double v = i * 2.75 + 0.5;
        printf("sqrt(%g) = %.12f (libm %.12f)\n", v, newton_sqrt(v), sqrt(v));
    }
    printf("pi ~ %.10f, %g, %e\n", leibniz_pi(100000), leibniz_pi(1000), leibniz_pi(10));
    printf("harmonic(1000) as float = %.7g\n", (double)harmonic_f(1000));
    Vec3 a = {1.5, -2.0, 0.25}, b = {0.5, 4.0, -1.0};
    Vec3 c = vec_cross(a, b);
    Vec3 d = vec_add(vec_scale(a, 3), c);
    printf("cross (%g, %g, %g) dot %g, d (%g, %g, %g)\n", c.x, c.y, c.z, vec_dot(a, b), d.x, d.y, d.z);
    double m[4][5] = {
        {2, 1, -1, 3, 5}, {-3, -1, 2, 1, -11}, {-2, 1, 2, -4, -3}, {1, 2, 3, 4, 10},
    };
    double x[4];
    solve(m, x);
    printf("solution %.6f %.6f %.6f %.6f\n", x[0], x[1], x[2], x[3]);
    double specials[] = {0.0, -0.0, 1e-310, 1e300 * 10, -1.0 / 3.0, 123456789.125};
    for (int i = 0; i < 6; i++) printf("[%g|%f|%.3e] ", specials[i], specials[i], specials[i]);
    printf("\n");
    double acc = 1;
    for (int i = 1; i <= 20; i++) acc = acc * i / (i + 0.5);
    printf("product %.15g, exp %.9g, log %.9g, sin %.9g\n", acc, exp(2.5), log(10.0), sin(1.0));
    float fl = 16777216.0f;
    printf("float rounding %.1f %.1f\n", (double)(fl + 1.0f), (double)(fl + 2.0f));
    return 0;
}
