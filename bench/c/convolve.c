/* A 5x5 convolution over a 512x512 8-bit image, each output clamped to 0..255 by a helper function. */
#include <stdint.h>
#include <stdio.h>

#define W 512
#define H 512

static uint8_t src[H][W];
static uint8_t dst[H][W];

static const int kernel[5][5] = {
    {1, 4, 6, 4, 1},
    {4, 16, 24, 16, 4},
    {6, 24, -36, 24, 6},
    {4, 16, 24, 16, 4},
    {1, 4, 6, 4, 1},
};

static int clamp(int x, int lo, int hi) {
    if (x < lo) return lo;
    if (x > hi) return hi;
    return x;
}

/* Reads a pixel with the coordinates clamped to the image (edge replication). */
static int pixel(int y, int x) { return src[clamp(y, 0, H - 1)][clamp(x, 0, W - 1)]; }

static void convolve(void) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int sum = 0;
            for (int ky = 0; ky < 5; ky++)
                for (int kx = 0; kx < 5; kx++) sum += kernel[ky][kx] * pixel(y + ky - 2, x + kx - 2);
            dst[y][x] = (uint8_t)clamp(sum / 200, 0, 255);
        }
}

int main(void) {
    uint32_t s = 12345;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            s = s * 1103515245u + 12345u;
            src[y][x] = (uint8_t)((x ^ y) + (s >> 24));
        }
    uint32_t check = 0;
    for (int pass = 0; pass < 4; pass++) {
        convolve();
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                check = check * 31 + dst[y][x];
                src[y][x] = dst[y][x];
            }
    }
    printf("convolve: check=%08x corner=%d center=%d\n", check, dst[0][0], dst[H / 2][W / 2]);
    return 0;
}
