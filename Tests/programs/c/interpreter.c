/* An expression parser compiling to bytecode for a small stack machine, run with a switch loop. */
#include <stdio.h>
#include <string.h>

enum Op { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, NEG, LT, JZ, JMP, PRINT, HALT };

typedef struct {
    unsigned char code[1024];
    int consts[256];
    int ncode, nconsts;
} Chunk;

typedef struct {
    const char *src;
    int pos;
    Chunk *chunk;
    int error;
} Parser;

static void emit(Chunk *c, int op) { c->code[c->ncode++] = (unsigned char)op; }

static void emit_const(Chunk *c, int v) {
    emit(c, PUSH);
    emit(c, c->nconsts);
    c->consts[c->nconsts++] = v;
}

static void skip_spaces(Parser *p) {
    while (p->src[p->pos] == ' ') p->pos++;
}

static void expression(Parser *p);

static void primary(Parser *p) {
    skip_spaces(p);
    char c = p->src[p->pos];
    if (c >= '0' && c <= '9') {
        int v = 0;
        while (p->src[p->pos] >= '0' && p->src[p->pos] <= '9') v = v * 10 + (p->src[p->pos++] - '0');
        emit_const(p->chunk, v);
    } else if (c >= 'a' && c <= 'z') {
        p->pos++;
        emit(p->chunk, LOAD);
        emit(p->chunk, c - 'a');
    } else if (c == '(') {
        p->pos++;
        expression(p);
        skip_spaces(p);
        if (p->src[p->pos] == ')') p->pos++;
        else p->error = 1;
    } else if (c == '-') {
        p->pos++;
        primary(p);
        emit(p->chunk, NEG);
    } else {
        p->error = 1;
    }
}

static void term(Parser *p) {
    primary(p);
    for (;;) {
        skip_spaces(p);
        char c = p->src[p->pos];
        if (c != '*' && c != '/' && c != '%') return;
        p->pos++;
        primary(p);
        emit(p->chunk, c == '*' ? MUL : c == '/' ? DIV : MOD);
    }
}

static void expression(Parser *p) {
    term(p);
    for (;;) {
        skip_spaces(p);
        char c = p->src[p->pos];
        if (c == '+' || c == '-') {
            p->pos++;
            term(p);
            emit(p->chunk, c == '+' ? ADD : SUB);
        } else if (c == '<') {
            p->pos++;
            term(p);
            emit(p->chunk, LT);
        } else {
            return;
        }
    }
}

static int run(const Chunk *c, int *vars, int trace) {
    int stack[64];
    int sp = 0, pc = 0, steps = 0;
    for (;;) {
        steps++;
        int op = c->code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = c->consts[c->code[pc++]]; break;
        case LOAD: stack[sp++] = vars[c->code[pc++]]; break;
        case STORE: vars[c->code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case DIV: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
        case MOD: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case NEG: stack[sp - 1] = -stack[sp - 1]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case JZ: {
            int target = c->code[pc] | c->code[pc + 1] << 8;
            pc += 2;
            if (stack[--sp] == 0) pc = target;
            break;
        }
        case JMP: pc = c->code[pc] | c->code[pc + 1] << 8; break;
        case PRINT:
            if (trace) printf("  print %d\n", stack[sp - 1]);
            sp--;
            break;
        case HALT: return steps;
        default: printf("bad opcode %d\n", op); return -1;
        }
    }
}

/* Compiles "while (cond) { var = expr }" as bytecode around parsed expressions. */
static int compile_loop(Chunk *c, const char *cond, char var, const char *body, char acc, const char *accbody) {
    Parser p = {cond, 0, c, 0};
    int top = c->ncode;
    expression(&p);
    emit(c, JZ);
    int patch = c->ncode;
    emit(c, 0);
    emit(c, 0);
    Parser q = {body, 0, c, 0};
    expression(&q);
    emit(c, STORE);
    emit(c, var - 'a');
    Parser r = {accbody, 0, c, 0};
    expression(&r);
    emit(c, STORE);
    emit(c, acc - 'a');
    emit(c, JMP);
    emit(c, top & 0xff);
    emit(c, top >> 8);
    c->code[patch] = (unsigned char)(c->ncode & 0xff);
    c->code[patch + 1] = (unsigned char)(c->ncode >> 8);
    return p.error | q.error | r.error;
}

int main(void) {
    static const char *exprs[] = {
        "1 + 2 * 3", "(1 + 2) * 3", "100 / 7 % 5", "-(4 - 10) * -3", "a * a + b", "2 * (a + b * (c - 1)) / 3", "7 < 9", "(((5)))",
    };
    int vars[26] = {0};
    vars[0] = 12; vars[1] = -5; vars[2] = 40;
    for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        Chunk c;
        memset(&c, 0, sizeof c);
        Parser p = {exprs[i], 0, &c, 0};
        expression(&p);
        emit(&c, PRINT);
        emit(&c, HALT);
        printf("%-28s -> ", exprs[i]);
        int steps = run(&c, vars, 0);
        /* Re-run printing the value: PRINT consumes the top of the stack. */
        Chunk d = c;
        d.code[d.ncode - 2] = PRINT;
        printf("%d bytes, %d steps%s\n", c.ncode, steps, p.error ? " (parse error)" : "");
        run(&d, vars, 1);
    }
    Chunk loop;
    memset(&loop, 0, sizeof loop);
    vars[8] = 0; vars[18] = 0;
    int err = compile_loop(&loop, "i < 1000", 'i', "i + 1", 's', "s + i * i % 7");
    emit(&loop, LOAD); emit(&loop, 's' - 'a'); emit(&loop, PRINT); emit(&loop, HALT);
    int steps = run(&loop, vars, 1);
    printf("loop: %d bytes, %d steps, error %d, i=%d s=%d\n", loop.ncode, steps, err, vars[8], vars[18]);
    return 0;
}
