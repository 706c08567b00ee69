/* A chained hash table counting words of a generated text, with string processing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    char *word;
    int count;
    struct Entry *next;
} Entry;

typedef struct {
    Entry **buckets;
    unsigned capacity;
    unsigned size;
} Table;

static unsigned hash_string(const char *s) {
    unsigned h = 2166136261u;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

static void table_init(Table *t, unsigned capacity) {
    t->capacity = capacity;
    t->size = 0;
    t->buckets = calloc(capacity, sizeof(Entry *));
}

static void table_grow(Table *t) {
    unsigned capacity = t->capacity * 2;
    Entry **buckets = calloc(capacity, sizeof(Entry *));
    for (unsigned i = 0; i < t->capacity; i++) {
        Entry *e = t->buckets[i];
        while (e) {
            Entry *next = e->next;
            unsigned h = hash_string(e->word) & (capacity - 1);
            e->next = buckets[h];
            buckets[h] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = buckets;
    t->capacity = capacity;
}

static void table_add(Table *t, const char *word) {
    unsigned h = hash_string(word) & (t->capacity - 1);
    for (Entry *e = t->buckets[h]; e; e = e->next) {
        if (strcmp(e->word, word) == 0) {
            e->count++;
            return;
        }
    }
    Entry *e = malloc(sizeof(Entry));
    size_t len = strlen(word);
    e->word = malloc(len + 1);
    memcpy(e->word, word, len + 1);
    e->count = 1;
    e->next = t->buckets[h];
    t->buckets[h] = e;
    if (++t->size > t->capacity * 3 / 4) table_grow(t);
}

static int compare_entries(const void *x, const void *y) {
    const Entry *a = *(Entry *const *)x, *b = *(Entry *const *)y;
    if (a->count != b->count) return b->count - a->count;
    return strcmp(a->word, b->word);
}

static const char *syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qu"};

static void reverse(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char c = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = c;
    }
}

int main(void) {
    char text[20000];
    size_t pos = 0;
    unsigned seed = 7;
    for (int w = 0; w < 1500 && pos < sizeof(text) - 16; w++) {
        seed = seed * 69069u + 1u;
        int parts = 1 + (seed >> 28) % 3;
        for (int p = 0; p < parts; p++) {
            seed = seed * 69069u + 1u;
            const char *syl = syllables[(seed >> 24) % 6 + (p == 2 ? 4 : 0)];
            text[pos++] = (w % 17 == 0 && p == 0) ? (char)toupper(syl[0]) : syl[0];
            text[pos++] = syl[1];
        }
        text[pos++] = (w % 11 == 10) ? '.' : ' ';
    }
    text[pos] = 0;

    Table t;
    table_init(&t, 8);
    char word[32];
    size_t wl = 0;
    int words = 0;
    for (size_t i = 0; i <= pos; i++) {
        char c = text[i];
        if (isalpha((unsigned char)c)) {
            if (wl < sizeof(word) - 1) word[wl++] = (char)tolower((unsigned char)c);
        } else if (wl > 0) {
            word[wl] = 0;
            table_add(&t, word);
            words++;
            wl = 0;
        }
    }
    Entry **all = malloc(t.size * sizeof(Entry *));
    unsigned n = 0;
    for (unsigned i = 0; i < t.capacity; i++)
        for (Entry *e = t.buckets[i]; e; e = e->next) all[n++] = e;
    qsort(all, n, sizeof(Entry *), compare_entries);
    printf("%d words, %u distinct, %u buckets\n", words, t.size, t.capacity);
    for (unsigned i = 0; i < 12 && i < n; i++) {
        char rev[32];
        strcpy(rev, all[i]->word);
        reverse(rev);
        printf("%-8s %4d  %s\n", all[i]->word, all[i]->count, rev);
    }
    unsigned longest = 0;
    for (unsigned i = 0; i < n; i++) if (strlen(all[i]->word) > strlen(all[longest]->word)) longest = i;
    printf("longest: %s (%zu)\n", all[longest]->word, strlen(all[longest]->word));
    char sentence[64];
    snprintf(sentence, sizeof sentence, "%.40s", text);
    printf("start: \"%s\"\n", sentence);
    return 0;
}
