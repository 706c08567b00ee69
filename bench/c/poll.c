/* An event poll loop: each tick polls simulated devices, mixes the event into a state with a tiny
   mixer, and advances a per-connection state machine with a state-transition helper. */
#include <stdint.h>
#include <stdio.h>

#define CONNECTIONS 64
#define TICKS 3000000

enum state { IDLE, CONNECTING, OPEN, READING, WRITING, CLOSING, CLOSED };
enum event { EV_NONE, EV_CONNECT, EV_READY, EV_DATA, EV_DRAIN, EV_HANGUP, EV_TIMEOUT };

static uint8_t states[CONNECTIONS];
static uint32_t bytes_in[CONNECTIONS];
static uint32_t transitions[7][7];

/* One step of a xorshift generator: the simulated devices. */
static uint32_t next_random(uint32_t *s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* The tiny mixer folded over every polled event. */
static uint32_t mix(uint32_t h, uint32_t v) { return (h ^ v) * 0x9e3779b1u; }

/* The state after an event (unlisted pairs keep the state). */
static enum state transition(enum state s, enum event e) {
    switch (s) {
    case IDLE: return e == EV_CONNECT ? CONNECTING : IDLE;
    case CONNECTING: return e == EV_READY ? OPEN : e == EV_TIMEOUT ? CLOSED : CONNECTING;
    case OPEN: return e == EV_DATA ? READING : e == EV_DRAIN ? WRITING : e == EV_HANGUP ? CLOSING : OPEN;
    case READING: return e == EV_DRAIN ? WRITING : e == EV_HANGUP ? CLOSING : e == EV_NONE ? OPEN : READING;
    case WRITING: return e == EV_DATA ? READING : e == EV_NONE ? OPEN : e == EV_HANGUP ? CLOSING : WRITING;
    case CLOSING: return e == EV_TIMEOUT || e == EV_HANGUP ? CLOSED : CLOSING;
    case CLOSED: return e == EV_CONNECT ? CONNECTING : CLOSED;
    }
    return s;
}

/* Polls one connection: the next event, or EV_NONE most of the time. */
static enum event poll_one(uint32_t *rng, int c) {
    uint32_t r = next_random(rng);
    if ((r & 7) != 0) return EV_NONE;
    return (enum event)(((r >> 8) + (uint32_t)c) % 7);
}

int main(void) {
    uint32_t rng = 0x2545f491u, h = 0;
    for (int tick = 0; tick < TICKS; tick++) {
        int c = tick % CONNECTIONS;
        enum event e = poll_one(&rng, c);
        enum state before = (enum state)states[c];
        enum state after = transition(before, e);
        if (after == READING) bytes_in[c] += (uint32_t)tick & 255;
        transitions[before][after]++;
        states[c] = (uint8_t)after;
        h = mix(h, (uint32_t)e | ((uint32_t)after << 8));
    }
    uint32_t open = 0, total = 0;
    for (int c = 0; c < CONNECTIONS; c++) { open += states[c] == OPEN; total += bytes_in[c]; }
    for (int s = 0; s < 7; s++) {
        printf("%d:", s);
        for (int t = 0; t < 7; t++) printf(" %u", transitions[s][t]);
        printf("\n");
    }
    printf("poll: h=%08x open=%u bytes=%u\n", h, open, total);
    return 0;
}
