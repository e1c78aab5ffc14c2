/* samples/csvmatrix.c - differential-test sample: a state machine parsing CSV lines with a
 * switch on chars (quoted fields, doubled quotes, empty fields), the numbers going into 2-D
 * arrays; a matrix struct holding a pointer to its rows; multiply and transpose. */
#include <stdio.h>

#define N 3

enum csv_state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

struct matrix {
    int rows, cols;
    int (*cell)[N];
};

static int parse_line(const char *line, int out[N], char *label, int label_cap)
{
    enum csv_state st = FIELD_START;
    int field = 0, value = 0, llen = 0;
    for (const char *p = line;; p++) {
        char c = *p;
        switch (st) {
        case FIELD_START:
            if (c == '"') {
                st = QUOTED;
                break;
            }
            st = UNQUOTED;
            /* fall through */
        case UNQUOTED:
            if (c >= '0' && c <= '9')
                value = value * 10 + (c - '0');
            break;
        case QUOTED:
            if (c == '"')
                st = QUOTE_IN_QUOTED;
            else if (c && llen < label_cap - 1)
                label[llen++] = c;
            break;
        case QUOTE_IN_QUOTED:
            if (c == '"' && llen < label_cap - 1) {
                label[llen++] = '"';
                st = QUOTED;
            }
            break;
        }
        if ((c == ',' || c == '\0') && st != QUOTED) {
            if (field > 0 && field <= N)
                out[field - 1] = value;
            field++;
            value = 0;
            st = FIELD_START;
        }
        if (c == '\0')
            break;
    }
    label[llen] = '\0';
    return field;
}

static void multiply(const struct matrix *a, const struct matrix *b, struct matrix *c)
{
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < b->cols; j++) {
            int sum = 0;
            for (int k = 0; k < a->cols; k++)
                sum += a->cell[i][k] * b->cell[k][j];
            c->cell[i][j] = sum;
        }
    c->rows = a->rows;
    c->cols = b->cols;
}

static void transpose(struct matrix *m)
{
    for (int i = 0; i < m->rows; i++)
        for (int j = i + 1; j < m->cols; j++) {
            int t = m->cell[i][j];
            m->cell[i][j] = m->cell[j][i];
            m->cell[j][i] = t;
        }
}

int main(void)
{
    const char *lines[N] = {"\"r\"\"0\",1,2,0", "\"r1\",,1,3", "\"r2\",2,0,1"};
    int a_cells[N][N] = {{0}};
    int c_cells[N][N] = {{0}};
    char label[8] = "";
    struct matrix a = {N, N, a_cells};
    struct matrix c = {0, 0, c_cells};
    for (int r = 0; r < N; r++) {
        int fields = parse_line(lines[r], a_cells[r], label, (int)sizeof label);
        printf("%s: %d fields\n", label, fields);
    }
    multiply(&a, &a, &c);
    transpose(&c);
    long trace = 0;
    for (int i = 0; i < N; i++)
        trace += c.cell[i][i];
    printf("c[0]=%d,%d,%d trace=%ld\n", c_cells[0][0], c_cells[0][1], c_cells[0][2], trace);
    return 0;
}
