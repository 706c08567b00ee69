/* Recursion and struct copies: a binary tree of records, Ackermann-style recursion, struct returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[12];
    int id;
    short scores[4];
    double weight;
} Record;

typedef struct Node {
    Record rec;
    struct Node *left, *right;
    int height;
} Node;

static int height(const Node *n) { return n ? n->height : 0; }
static int max_int(int a, int b) { return a > b ? a : b; }

static Node *rotate_right(Node *y) {
    Node *x = y->left;
    y->left = x->right;
    x->right = y;
    y->height = 1 + max_int(height(y->left), height(y->right));
    x->height = 1 + max_int(height(x->left), height(x->right));
    return x;
}

static Node *rotate_left(Node *x) {
    Node *y = x->right;
    x->right = y->left;
    y->left = x;
    x->height = 1 + max_int(height(x->left), height(x->right));
    y->height = 1 + max_int(height(y->left), height(y->right));
    return y;
}

static Node *insert(Node *n, Record r) {
    if (!n) {
        Node *m = malloc(sizeof(Node));
        m->rec = r;
        m->left = m->right = NULL;
        m->height = 1;
        return m;
    }
    if (r.id < n->rec.id) n->left = insert(n->left, r);
    else if (r.id > n->rec.id) n->right = insert(n->right, r);
    else { n->rec = r; return n; }
    n->height = 1 + max_int(height(n->left), height(n->right));
    int balance = height(n->left) - height(n->right);
    if (balance > 1 && r.id < n->left->rec.id) return rotate_right(n);
    if (balance < -1 && r.id > n->right->rec.id) return rotate_left(n);
    if (balance > 1) { n->left = rotate_left(n->left); return rotate_right(n); }
    if (balance < -1) { n->right = rotate_right(n->right); return rotate_left(n); }
    return n;
}

typedef struct { long long sum; int count; double weight; } Totals;

static Totals walk(const Node *n, Totals t, int depth, int print) {
    if (!n) return t;
    t = walk(n->left, t, depth + 1, print);
    Record r = n->rec;
    for (int i = 0; i < 4; i++) t.sum += r.scores[i];
    t.count++;
    t.weight += r.weight;
    if (print) printf("%*s%s #%d (%d %d %d %d) %.2f\n", depth * 2, "", r.name, r.id, r.scores[0], r.scores[1], r.scores[2], r.scores[3], r.weight);
    return walk(n->right, t, depth + 1, print);
}

static Record make_record(int id) {
    Record r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "rec%03d", id % 1000);
    r.id = id;
    for (int i = 0; i < 4; i++) r.scores[i] = (short)((id * (i + 3)) % 101 - 50);
    r.weight = id / 8.0;
    return r;
}

static unsigned ackermann(unsigned m, unsigned n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static int hanoi(int n, int from, int to, int via, int *moves) {
    if (n == 0) return 0;
    hanoi(n - 1, from, via, to, moves);
    moves[from * 3 + to]++;
    hanoi(n - 1, via, to, from, moves);
    return (1 << n) - 1;
}

static void free_tree(Node *n) {
    if (!n) return;
    free_tree(n->left);
    free_tree(n->right);
    free(n);
}

int main(void) {
    Node *root = NULL;
    for (int i = 0; i < 200; i++) root = insert(root, make_record((i * 37) % 211));
    Record again = make_record(74);
    again.weight = -1;
    root = insert(root, again);
    Totals zero = {0, 0, 0.0};
    Totals all = walk(root, zero, 0, 0);
    printf("tree height %d, %d records, score sum %lld, weight %.3f\n", height(root), all.count, all.sum, all.weight);
    Node small = *root;
    small.left = small.right = NULL;
    walk(&small, zero, 0, 1);
    walk(root->left->left, zero, 1, 1);
    printf("ackermann(2, 3) = %u, ackermann(3, 4) = %u\n", ackermann(2, 3), ackermann(3, 4));
    int moves[9] = {0};
    int total = hanoi(12, 0, 2, 1, moves);
    printf("hanoi: %d moves:", total);
    for (int i = 0; i < 9; i++) printf(" %d", moves[i]);
    printf("\n");
    free_tree(root);
    return 0;
}
