/** Eigen decomposition of a symmetric matrix: values descending, `vectors[j]` the unit eigenvector of `values[j]`. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array[];
}

/**
 * Eigen decomposition of a symmetric `n × n` matrix (row-major, overwritten): Householder
 * reduction to tridiagonal form, then the implicit QL algorithm (`tred2` + `tql2`, as in JAMA and
 * EISPACK). About 9n³ flops, accurate to rounding; 1280 × 1280 takes seconds where cyclic Jacobi
 * took minutes. The transform is kept transposed (`u[j]` is column j of the textbook's V), so every
 * inner loop walks contiguous memory. Used only when fitting a PCA, never per frame.
 * @example
 * symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values; // Float64Array [3, 1]
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const u = a; // symmetric: A equals Aᵀ, so it starts as the transposed V
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(u, d, e, n);
  diagonalize(u, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (d[y] as number) - (d[x] as number));
  return {
    values: Float64Array.from(order, (j) => d[j] as number),
    vectors: order.map((j) => u.slice(j * n, (j + 1) * n)),
  };
}

/** Householder tridiagonalisation (`tred2`); `u[b·n + a]` holds V[a][b]. */
function tridiagonalize(u: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = u[j * n + n - 1] as number;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = u[j * n + i - 1] as number;
        u[j * n + i] = 0;
        u[i * n + j] = 0;
      }
    } else {
      h = householder(u, d, e, n, i, scale);
    }
    d[i] = h;
  }
  accumulate(u, d, n);
  e[0] = 0;
}

/** One Householder step of row i; returns h. */
function householder(u: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number, scale: number): number {
  let h = 0;
  for (let k = 0; k < i; k++) {
    d[k] = (d[k] as number) / scale;
    h += (d[k] as number) ** 2;
  }
  let f = d[i - 1] as number;
  let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
  e[i] = scale * g;
  h -= f * g;
  d[i - 1] = f - g;
  e.fill(0, 0, i);
  for (let j = 0; j < i; j++) {
    const row = j * n;
    f = d[j] as number;
    u[i * n + j] = f;
    g = (e[j] as number) + (u[row + j] as number) * f;
    for (let k = j + 1; k < i; k++) {
      const vkj = u[row + k] as number;
      g += vkj * (d[k] as number);
      e[k] = (e[k] as number) + vkj * f;
    }
    e[j] = g;
  }
  f = 0;
  for (let j = 0; j < i; j++) {
    e[j] = (e[j] as number) / h;
    f += (e[j] as number) * (d[j] as number);
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
  for (let j = 0; j < i; j++) {
    const row = j * n;
    f = d[j] as number;
    g = e[j] as number;
    for (let k = j; k < i; k++) u[row + k] = (u[row + k] as number) - (f * (e[k] as number) + g * (d[k] as number));
    d[j] = u[row + i - 1] as number;
    u[row + i] = 0;
  }
  return h;
}

/** Accumulates the Householder transformations into V (still transposed). */
function accumulate(u: Float64Array, d: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    u[i * n + n - 1] = u[i * n + i] as number;
    u[i * n + i] = 1;
    const h = d[i + 1] as number;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (u[next + k] as number) / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += (u[next + k] as number) * (u[row + k] as number);
        for (let k = 0; k <= i; k++) u[row + k] = (u[row + k] as number) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) u[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = u[j * n + n - 1] as number;
    u[j * n + n - 1] = 0;
  }
  u[(n - 1) * n + n - 1] = 1;
}

/** Implicit QL on the tridiagonal (d, e) (`tql2`), applying each rotation to the rows of u. */
function diagonalize(u: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n - 1 && Math.abs(e[m] as number) > eps * tst1) m++;
    if (m > l) {
      do f += qlStep(u, d, e, n, l, m);
      while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}

/** One implicit QL iteration on the block l..m; returns the shift to accumulate. */
function qlStep(u: Float64Array, d: Float64Array, e: Float64Array, n: number, l: number, m: number): number {
  const g0 = d[l] as number;
  let p = ((d[l + 1] as number) - g0) / (2 * (e[l] as number));
  let r = Math.hypot(p, 1);
  if (p < 0) r = -r;
  d[l] = (e[l] as number) / (p + r);
  d[l + 1] = (e[l] as number) * (p + r);
  const dl1 = d[l + 1] as number;
  let h = g0 - (d[l] as number);
  for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
  const shift = h;
  p = d[m] as number;
  let c = 1;
  let c2 = c;
  let c3 = c;
  const el1 = e[l + 1] as number;
  let s = 0;
  let s2 = 0;
  for (let i = m - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    const g = c * (e[i] as number);
    h = c * p;
    r = Math.hypot(p, e[i] as number);
    e[i + 1] = s * r;
    s = (e[i] as number) / r;
    c = p / r;
    p = c * (d[i] as number) - s * g;
    d[i + 1] = h + s * (c * g + s * (d[i] as number));
    rotateRows(u, n, i, c, s);
  }
  p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
  e[l] = s * p;
  d[l] = c * p;
  return shift;
}

function rotateRows(u: Float64Array, n: number, i: number, c: number, s: number): void {
  const a = i * n;
  const b = a + n;
  for (let k = 0; k < n; k++) {
    const h = u[b + k] as number;
    const x = u[a + k] as number;
    u[b + k] = s * x + c * h;
    u[a + k] = c * x - s * h;
  }
}
