/* A register-machine bytecode interpreter: a loop over a switch on opcodes runs a nested counting loop and fib. */
#include <stdint.h>
#include <stdio.h>

enum Op { LOADI, MOV, ADD, SUB, ADDI, MUL, XOR, SHRI, LT, JZ, JNZ, JMP, CALL, RET, PUSH, POP, HALT };

typedef struct {
    uint8_t op, a, b, c;
    int32_t imm;
} Insn;

typedef struct {
    uint32_t regs[16];
    uint32_t stack[4096];
    int sp;
    uint64_t steps;
} Machine;

/* Runs CODE from PC until HALT and returns register 0; arithmetic wraps (registers are unsigned). */
static uint32_t run(Machine *m, const Insn *code, int pc) {
    uint32_t *r = m->regs;
    for (;;) {
        const Insn *i = &code[pc++];
        m->steps++;
        switch (i->op) {
        case LOADI: r[i->a] = (uint32_t)i->imm; break;
        case MOV: r[i->a] = r[i->b]; break;
        case ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case SUB: r[i->a] = r[i->b] - r[i->c]; break;
        case ADDI: r[i->a] = r[i->b] + (uint32_t)i->imm; break;
        case MUL: r[i->a] = r[i->b] * r[i->c]; break;
        case XOR: r[i->a] = r[i->b] ^ r[i->c]; break;
        case SHRI: r[i->a] = r[i->b] >> (i->imm & 31); break;
        case LT: r[i->a] = (int32_t)r[i->b] < (int32_t)r[i->c]; break;
        case JZ: if (r[i->a] == 0) pc = i->imm; break;
        case JNZ: if (r[i->a] != 0) pc = i->imm; break;
        case JMP: pc = i->imm; break;
        case CALL: m->stack[m->sp++] = pc; pc = i->imm; break;
        case RET: pc = m->stack[--m->sp]; break;
        case PUSH: m->stack[m->sp++] = r[i->a]; break;
        case POP: r[i->a] = m->stack[--m->sp]; break;
        case HALT: return r[0];
        default: return 0xffffffffu;
        }
    }
}

/* Nested counting loop: for i, j < 2500: acc = acc * 31 + (i ^ j), wrapping. */
static const Insn loops[] = {
    {LOADI, 0, 0, 0, 0},     /* 0: acc = 0 */
    {LOADI, 1, 0, 0, 0},     /* 1: i = 0 */
    {LOADI, 3, 0, 0, 2500},  /* 2: n = 2500 */
    {LOADI, 5, 0, 0, 31},    /* 3: k = 31 */
    {LT, 6, 1, 3, 0},        /* 4: outer: t = i < n */
    {JZ, 6, 0, 0, 16},       /* 5: if !t goto end */
    {LOADI, 2, 0, 0, 0},     /* 6: j = 0 */
    {LT, 6, 2, 3, 0},        /* 7: inner: t = j < n */
    {JZ, 6, 0, 0, 14},       /* 8: if !t goto next_i */
    {MUL, 0, 0, 5, 0},       /* 9: acc *= k */
    {XOR, 7, 1, 2, 0},       /* 10: x = i ^ j */
    {ADD, 0, 0, 7, 0},       /* 11: acc += x */
    {ADDI, 2, 2, 0, 1},      /* 12: j++ */
    {JMP, 0, 0, 0, 7},       /* 13: goto inner */
    {ADDI, 1, 1, 0, 1},      /* 14: next_i: i++ */
    {JMP, 0, 0, 0, 4},       /* 15: goto outer */
    {HALT, 0, 0, 0, 0},      /* 16: end */
};

/* Recursive fib(r1) into r0; r1 is preserved across calls, r0 is saved on the machine stack with PUSH/POP. */
static const Insn fib[] = {
    {LOADI, 1, 0, 0, 31},    /* 0: n = 31 */
    {CALL, 0, 0, 0, 3},      /* 1: r0 = fib(n) */
    {HALT, 0, 0, 0, 0},      /* 2 */
    {LOADI, 6, 0, 0, 2},     /* 3: fib: t = 2 */
    {LT, 6, 1, 6, 0},        /* 4: t = n < 2 */
    {JZ, 6, 0, 0, 8},        /* 5: if !t goto rec */
    {MOV, 0, 1, 0, 0},       /* 6: r0 = n */
    {RET, 0, 0, 0, 0},       /* 7 */
    {ADDI, 1, 1, 0, -1},     /* 8: rec: n -= 1 */
    {CALL, 0, 0, 0, 3},      /* 9: r0 = fib(n - 1) */
    {PUSH, 0, 0, 0, 0},      /* 10: save r0 */
    {ADDI, 1, 1, 0, -1},     /* 11: n -= 1 */
    {CALL, 0, 0, 0, 3},      /* 12: r0 = fib(n - 2) */
    {POP, 7, 0, 0, 0},       /* 13: r7 = saved */
    {ADD, 0, 0, 7, 0},       /* 14: r0 += r7 */
    {ADDI, 1, 1, 0, 2},      /* 15: restore n */
    {RET, 0, 0, 0, 0},       /* 16 */
};

int main(void) {
    static Machine m;
    uint32_t a = run(&m, loops, 0);
    uint64_t steps_loops = m.steps;
    printf("loops: acc=%u steps=%llu\n", a, (unsigned long long)steps_loops);
    m.sp = 0;
    m.steps = 0;
    uint32_t f = run(&m, fib, 0);
    printf("fib: r0=%u steps=%llu\n", f, (unsigned long long)m.steps);
    return 0;
}
