"""Compiled hot loops of the job-shop tabu search (numba, imported lazily by :mod:`.search`).

The disjunctive graph is held in flat arrays over operations ``0..n-1``: ``dur`` (processing time),
``jprev``/``jnext`` (routing neighbours, -1 for none), and per machine the sequence ``seq[m, :count[m]]``.
``mprev``/``mnext`` are the machine neighbours derived from the sequences. Heads ``head[x]`` are earliest
starts; tails ``tail[x]`` the longest path from the end of ``x`` to the end of the schedule.

The search is TSAB-like (Nowicki and Smutnicki 1996): neighbourhood N5 (swap the first or last two
operations of the critical blocks), moves ranked by the estimate of Balas and Vazacopoulos (exact for the
path through the swapped pair), a tabu list of reversed arcs with random tenure, and a restart from the best
schedule with a random critical-swap kick after a run without improvement. Swapping two adjacent operations
of a critical block never creates a cycle, so every visited schedule is feasible.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_CACHE = True


@njit(cache=_CACHE, nogil=True)
def link(seq: np.ndarray, count: np.ndarray, mprev: np.ndarray, mnext: np.ndarray, pos: np.ndarray) -> None:
    """Derive machine neighbours and positions from the sequences."""
    for m in range(seq.shape[0]):
        c = count[m]
        for k in range(c):
            x = seq[m, k]
            pos[x] = k
            mprev[x] = seq[m, k - 1] if k > 0 else -1
            mnext[x] = seq[m, k + 1] if k + 1 < c else -1


@njit(cache=_CACHE, nogil=True)
def _next_random(rng: int) -> int:
    """One step of the linear congruential generator all kernels draw from (Knuth's MMIX constants), kept
    to 63 bits so that the state stays a non-negative int64.

    The arithmetic is unsigned on purpose: numba marks signed products as never overflowing, and LLVM then
    took the product of a non-negative state as non-negative and dropped the mask, which let the state turn
    negative depending on where the step was inlined.
    """
    x = np.uint64(rng) * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
    return int(x & np.uint64(0x7FFFFFFFFFFFFFFF))


@njit(cache=_CACHE, nogil=True)
def _graph_arrays(
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays of the disjunctive graph: ``mprev, mnext, pos, head, tail, order, indeg``."""
    return (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
    )


@njit(cache=_CACHE, nogil=True)
def evaluate(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    order: np.ndarray,
    indeg: np.ndarray,
) -> int:
    """Heads, tails and makespan of the current sequences; -1 if they contain a cycle."""
    n = dur.shape[0]
    top = 0
    for x in range(n):
        d = 0
        if jprev[x] >= 0:
            d += 1
        if mprev[x] >= 0:
            d += 1
        indeg[x] = d
        if d == 0:
            order[top] = x
            top += 1
    k = 0
    while k < top:
        x = order[k]
        k += 1
        y = jnext[x]
        if y >= 0:
            indeg[y] -= 1
            if indeg[y] == 0:
                order[top] = y
                top += 1
        y = mnext[x]
        if y >= 0:
            indeg[y] -= 1
            if indeg[y] == 0:
                order[top] = y
                top += 1
    if top < n:
        return -1
    makespan = 0
    for k in range(n):
        x = order[k]
        h = 0
        a = jprev[x]
        if a >= 0:
            h = head[a] + dur[a]
        a = mprev[x]
        if a >= 0 and head[a] + dur[a] > h:
            h = head[a] + dur[a]
        head[x] = h
        if h + dur[x] > makespan:
            makespan = h + dur[x]
    for k in range(n - 1, -1, -1):
        x = order[k]
        t = 0
        b = jnext[x]
        if b >= 0:
            t = tail[b] + dur[b]
        b = mnext[x]
        if b >= 0 and tail[b] + dur[b] > t:
            t = tail[b] + dur[b]
        tail[x] = t
    return makespan


@njit(cache=_CACHE, nogil=True)
def _critical_path(
    dur: np.ndarray,
    jprev: np.ndarray,
    mprev: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    makespan: int,
    path: np.ndarray,
    pick: int,
) -> int:
    """One critical path (start to end) into ``path``; returns its length. ``pick`` breaks ties at the end."""
    n = dur.shape[0]
    num_ends = 0
    for x in range(n):
        if head[x] + dur[x] == makespan and tail[x] == 0:
            num_ends += 1
    target = pick % num_ends
    end = -1
    for x in range(n):
        if head[x] + dur[x] == makespan and tail[x] == 0:
            if target == 0:
                end = x
                break
            target -= 1
    length = 0
    x = end
    while x >= 0:
        path[length] = x
        length += 1
        a = mprev[x]
        if a >= 0 and head[a] + dur[a] == head[x]:
            x = a
            continue
        a = jprev[x]
        if a >= 0 and head[a] + dur[a] == head[x]:
            x = a
            continue
        x = -1
    # reverse into start-to-end order
    for i in range(length // 2):
        path[i], path[length - 1 - i] = path[length - 1 - i], path[i]
    return length


@njit(cache=_CACHE, nogil=True)
def _moves(
    path: np.ndarray, length: int, mnext: np.ndarray, job: np.ndarray, move_u: np.ndarray, move_v: np.ndarray
) -> int:
    """N5 moves on a critical path: first and last pair of each block (not at the ends of the path).

    Pairs of one job (a job may visit a machine twice, or twice in a row in a flexible shop) are skipped:
    swapping them would break the routing.
    """
    num = 0
    i = 0
    num_blocks = 0
    # count blocks first to know which block is first and last
    while i < length:
        j = i
        while j + 1 < length and mnext[path[j]] == path[j + 1]:
            j += 1
        num_blocks += 1
        i = j + 1
    i = 0
    b = 0
    while i < length:
        j = i
        while j + 1 < length and mnext[path[j]] == path[j + 1]:
            j += 1
        if j > i:  # block path[i..j] of size >= 2
            added_first = False
            if (b > 0 or num_blocks == 1) and job[path[i]] != job[path[i + 1]]:
                move_u[num] = path[i]
                move_v[num] = path[i + 1]
                num += 1
                added_first = True
            if (
                (b < num_blocks - 1 or num_blocks == 1)
                and not (added_first and j - 1 == i)
                and job[path[j - 1]] != job[path[j]]
            ):
                move_u[num] = path[j - 1]
                move_v[num] = path[j]
                num += 1
        b += 1
        i = j + 1
    return num


@njit(cache=_CACHE, nogil=True)
def _estimate(
    u: int,
    v: int,
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
) -> int:
    """Longest path through u and v after swapping them (u directly before v on a machine)."""
    a = mprev[u]
    b = mnext[v]
    rv = 0
    if a >= 0:
        rv = head[a] + dur[a]
    x = jprev[v]
    if x >= 0 and head[x] + dur[x] > rv:
        rv = head[x] + dur[x]
    ru = rv + dur[v]
    x = jprev[u]
    if x >= 0 and head[x] + dur[x] > ru:
        ru = head[x] + dur[x]
    qu = 0
    if b >= 0:
        qu = tail[b] + dur[b]
    x = jnext[u]
    if x >= 0 and tail[x] + dur[x] > qu:
        qu = tail[x] + dur[x]
    qv = qu + dur[u]
    x = jnext[v]
    if x >= 0 and tail[x] + dur[x] > qv:
        qv = tail[x] + dur[x]
    e1 = rv + dur[v] + qv
    e2 = ru + dur[u] + qu
    return e1 if e1 > e2 else e2


@njit(cache=_CACHE, nogil=True)
def _swap(
    u: int,
    v: int,
    machine: np.ndarray,
    seq: np.ndarray,
    pos: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
) -> None:
    """Swap u and v (u directly before v on their machine)."""
    m = machine[u]
    pu = pos[u]
    seq[m, pu] = v
    seq[m, pu + 1] = u
    pos[v] = pu
    pos[u] = pu + 1
    a = mprev[u]
    b = mnext[v]
    mprev[v] = a
    mnext[v] = u
    mprev[u] = v
    mnext[u] = b
    if a >= 0:
        mnext[a] = v
    if b >= 0:
        mprev[b] = u


@njit(cache=_CACHE, nogil=True)
def _kick(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    job: np.ndarray,
    seq: np.ndarray,
    pos: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    order: np.ndarray,
    indeg: np.ndarray,
    path: np.ndarray,
    move_u: np.ndarray,
    move_v: np.ndarray,
    rng: int,
) -> tuple[int, int]:
    """2-5 random swaps of adjacent critical operations, in place; returns the new makespan and random state.

    Any adjacent critical pair on one machine (neighbourhood N1) keeps the schedule acyclic.
    """
    cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    rng = _next_random(rng)
    kicks = 2 + (rng >> 33) % 4
    for _k in range(kicks):
        rng = _next_random(rng)
        length = _critical_path(dur, jprev, mprev, head, tail, cur, path, (rng >> 33) & 0xFFFF)
        num = 0
        for i in range(length - 1):
            if mnext[path[i]] == path[i + 1] and job[path[i]] != job[path[i + 1]]:
                move_u[num] = path[i]
                move_v[num] = path[i + 1]
                num += 1
        if num == 0:
            break
        rng = _next_random(rng)
        k = (rng >> 33) % num
        _swap(move_u[k], move_v[k], machine, seq, pos, mprev, mnext)
        cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    return cur, rng


@njit(cache=_CACHE, nogil=True)
def tabu_search(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    job: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    best_seq: np.ndarray,
    state: np.ndarray,
    tabu_u: np.ndarray,
    tabu_v: np.ndarray,
    tabu_until: np.ndarray,
    lower_bound: int,
    num_iterations: int,
    max_stall: int,
    tenure_min: int,
    tenure_max: int,
    restart: bool,
) -> int:
    """Run ``num_iterations`` tabu iterations from ``seq``; keeps the best in ``best_seq``.

    ``state`` carries what survives between calls: [0] best makespan, [1] iteration counter, [2] iterations
    since the last improvement, [3] random state, [4] tabu list cursor, [5] 1 once the best is proven
    optimal (no N5 move or equal to ``lower_bound``), [6] 1 when the run stopped after ``max_stall``
    iterations without improvement (only without ``restart``; with it the search restarts itself from the best
    with random critical swaps). Returns the best makespan.
    """
    n = dur.shape[0]
    mprev, mnext, pos, head, tail, order, indeg = _graph_arrays(n)
    path = np.empty(n, np.int64)
    move_u = np.empty(n, np.int64)
    move_v = np.empty(n, np.int64)
    list_len = tabu_u.shape[0]
    link(seq, count, mprev, mnext, pos)
    cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    best = state[0]
    it = state[1]
    stall = state[2]
    rng = state[3]
    cursor = state[4]
    if best <= 0 or cur < best:
        best = cur
        best_seq[:, :] = seq[:, :]
    for _ in range(num_iterations):
        if best <= lower_bound:
            state[5] = 1
            break
        it += 1
        stall += 1
        rng = _next_random(rng)
        length = _critical_path(dur, jprev, mprev, head, tail, cur, path, (rng >> 33) & 0xFFFF)
        num = _moves(path, length, mnext, job, move_u, move_v)
        if num == 0:
            blocks = False
            for i in range(length - 1):
                if mnext[path[i]] == path[i + 1]:
                    blocks = True
                    break
            if not blocks and cur <= best:
                # the critical path is one job's routing: nothing can be shorter
                state[5] = 1
                break
            stall = max_stall  # dead end: restart below
        else:
            best_k = -1
            best_e = 1 << 60
            any_k = -1
            for k in range(num):
                u = move_u[k]
                v = move_v[k]
                e = _estimate(u, v, dur, jprev, jnext, mprev, mnext, head, tail)
                forbidden = False
                for t in range(list_len):
                    if tabu_until[t] > it and tabu_u[t] == u and tabu_v[t] == v:
                        forbidden = True
                        break
                if forbidden and e >= best:
                    if any_k < 0:
                        any_k = k
                    continue
                if e < best_e:
                    best_e = e
                    best_k = k
            if best_k < 0:
                best_k = any_k
            u = move_u[best_k]
            v = move_v[best_k]
            _swap(u, v, machine, seq, pos, mprev, mnext)
            rng = _next_random(rng)
            tenure = tenure_min + ((rng >> 33) % (tenure_max - tenure_min + 1))
            tabu_u[cursor] = v  # forbid putting u back before v
            tabu_v[cursor] = u
            tabu_until[cursor] = it + tenure
            cursor = (cursor + 1) % list_len
            cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
            if cur < best:
                best = cur
                best_seq[:, :] = seq[:, :]
                stall = 0
        if stall >= max_stall:
            if not restart:
                state[6] = 1  # the caller picks the next start (elite pool, path relinking)
                break
            # restart from the best schedule with a few random critical swaps
            seq[:, :] = best_seq[:, :]
            link(seq, count, mprev, mnext, pos)
            for t in range(list_len):
                tabu_until[t] = 0
            cur, rng = _kick(
                dur,
                jprev,
                jnext,
                machine,
                job,
                seq,
                pos,
                mprev,
                mnext,
                head,
                tail,
                order,
                indeg,
                path,
                move_u,
                move_v,
                rng,
            )
            stall = 0
    state[0] = best
    state[1] = it
    state[2] = stall
    state[3] = rng
    state[4] = cursor
    return best


@njit(cache=_CACHE, nogil=True)
def _moves_n7(
    path: np.ndarray, length: int, mnext: np.ndarray, move_u: np.ndarray, move_v: np.ndarray
) -> int:
    """N7 moves on a critical path (Zhang, Li, Guan and Rao 2007); move ``k`` puts ``move_u[k]`` in the place of
    ``move_v[k]`` on their machine, shifting the operations between them by one.

    In each block: an operation moved to the front or the back of the block, the first operation moved into
    the block's interior and the last one likewise. Moves that change the start of the path's first block or
    the end of its last block cannot shorten the path and are left out (as in N5). A move may still close a
    cycle: the search tests each with :func:`_acyclic_n7`. ``move_u``/``move_v`` need room for ``4 * length``.
    """
    num_blocks = 0
    i = 0
    while i < length:
        j = i
        while j + 1 < length and mnext[path[j]] == path[j + 1]:
            j += 1
        num_blocks += 1
        i = j + 1
    num = 0
    i = 0
    b = 0
    while i < length:
        j = i
        while j + 1 < length and mnext[path[j]] == path[j + 1]:
            j += 1
        if j > i:  # block path[i..j] of size >= 2
            front = b > 0 or num_blocks == 1
            back = b < num_blocks - 1 or num_blocks == 1
            first = path[i]
            last = path[j]
            if front:
                for t in range(i + 1, j + 1):  # to the front of the block
                    move_u[num] = path[t]
                    move_v[num] = first
                    num += 1
                for t in range(i + 2, j):  # the first one into the interior (right after path[t])
                    move_u[num] = first
                    move_v[num] = path[t]
                    num += 1
            if back:
                for t in range(i, j):  # to the back of the block
                    if front and t == i and j == i + 1:
                        continue  # a block of two: the same swap as moving the last one to the front
                    move_u[num] = path[t]
                    move_v[num] = last
                    num += 1
                for t in range(i + 1, j - 1):  # the last one into the interior (right before path[t])
                    move_u[num] = last
                    move_v[num] = path[t]
                    num += 1
        b += 1
        i = j + 1
    return num


@njit(cache=_CACHE, nogil=True)
def _acyclic_n7(
    u: int,
    v: int,
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    pos: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
) -> bool:
    """True if moving ``u`` into the place of ``v`` is sure to keep the graph acyclic.

    Moving ``u`` right after ``v`` closes a cycle only through a path from the job successor ``s`` of ``u`` to
    ``v``, which would make ``tail[s] >= tail[v] + dur[v]``; moving ``u`` right before ``v`` only through a
    path from ``v`` to the job predecessor ``p`` of ``u``, which would make ``head[p] >= head[v] + dur[v]``.
    The tests are sufficient, not necessary (Balas and Vazacopoulos 1998).
    """
    if pos[u] < pos[v]:
        s = jnext[u]
        return s < 0 or tail[s] < tail[v] + dur[v]
    p = jprev[u]
    return p < 0 or head[p] < head[v] + dur[v]


@njit(cache=_CACHE, nogil=True)
def _segment_n7(
    u: int, v: int, machine: np.ndarray, seq: np.ndarray, pos: np.ndarray, seg: np.ndarray
) -> int:
    """The operations from ``u`` to ``v`` on their machine in their order after the move; returns how many."""
    m = machine[u]
    pu = pos[u]
    pv = pos[v]
    cnt = 0
    if pu < pv:
        for k in range(pu + 1, pv + 1):
            seg[cnt] = seq[m, k]
            cnt += 1
        seg[cnt] = u
        cnt += 1
    else:
        seg[0] = u
        cnt = 1
        for k in range(pv, pu):
            seg[cnt] = seq[m, k]
            cnt += 1
    return cnt


@njit(cache=_CACHE, nogil=True)
def _estimate_n7(
    u: int,
    v: int,
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    seq: np.ndarray,
    pos: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    seg: np.ndarray,
    seg_head: np.ndarray,
) -> int:
    """Estimated makespan after moving ``u`` into the place of ``v``: the longest path through the moved segment,
    with heads recomputed forwards and tails backwards along the segment's new order (exact for paths that
    enter and leave the segment once; the heads and tails of other operations are taken as they are).
    """
    cnt = _segment_n7(u, v, machine, seq, pos, seg)
    m = machine[u]
    lo = pos[u] if pos[u] < pos[v] else pos[v]
    hi = pos[v] if pos[u] < pos[v] else pos[u]
    a = mprev[seq[m, lo]]
    b = mnext[seq[m, hi]]
    r = 0
    if a >= 0:
        r = head[a] + dur[a]
    for k in range(cnt):
        x = seg[k]
        h = r
        p = jprev[x]
        if p >= 0 and head[p] + dur[p] > h:
            h = head[p] + dur[p]
        seg_head[k] = h
        r = h + dur[x]
    q = 0
    if b >= 0:
        q = tail[b] + dur[b]
    est = 0
    for k in range(cnt - 1, -1, -1):
        x = seg[k]
        t = q
        s = jnext[x]
        if s >= 0 and tail[s] + dur[s] > t:
            t = tail[s] + dur[s]
        e = seg_head[k] + dur[x] + t
        if e > est:
            est = e
        q = t + dur[x]
    return est


@njit(cache=_CACHE, nogil=True)
def _shift(
    m: int,
    src: int,
    dst: int,
    seq: np.ndarray,
    count: np.ndarray,
    pos: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
) -> None:
    """Move the operation at position ``src`` of machine ``m`` to position ``dst``, shifting those between."""
    x = seq[m, src]
    if src < dst:
        for k in range(src, dst):
            seq[m, k] = seq[m, k + 1]
        lo, hi = src, dst
    else:
        for k in range(src, dst, -1):
            seq[m, k] = seq[m, k - 1]
        lo, hi = dst, src
    seq[m, dst] = x
    c = count[m]
    for k in range(lo, hi + 1):
        y = seq[m, k]
        pos[y] = k
        mprev[y] = seq[m, k - 1] if k > 0 else -1
        mnext[y] = seq[m, k + 1] if k + 1 < c else -1
    if lo > 0:
        mnext[seq[m, lo - 1]] = seq[m, lo]
    if hi + 1 < c:
        mprev[seq[m, hi + 1]] = seq[m, hi]


@njit(cache=_CACHE, nogil=True)
def _tabu_n7(
    u: int,
    v: int,
    machine: np.ndarray,
    seq: np.ndarray,
    pos: np.ndarray,
    rank: np.ndarray,
    tabu_until: np.ndarray,
    it: int,
) -> bool:
    """True if moving ``u`` into the place of ``v`` puts back an order that a recent move reversed.

    ``tabu_until[x, rank[y]]`` is the iteration until which ``x`` may not be put before ``y`` again.
    """
    m = machine[u]
    pu = pos[u]
    pv = pos[v]
    if pu < pv:  # u goes after the operations in between: w before u again
        for k in range(pu + 1, pv + 1):
            if tabu_until[seq[m, k], rank[u]] > it:
                return True
    else:  # u goes before them
        for k in range(pv, pu):
            if tabu_until[u, rank[seq[m, k]]] > it:
                return True
    return False


@njit(cache=_CACHE, nogil=True)
def _move_n7(
    u: int,
    v: int,
    machine: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    pos: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    rank: np.ndarray,
    tabu_until: np.ndarray,
    until: int,
) -> int:
    """Move ``u`` into the place of ``v`` and forbid undoing it until ``until``; returns ``u``'s old position."""
    m = machine[u]
    pu = pos[u]
    pv = pos[v]
    if pu < pv:  # u passes the operations after it: u may not go back before them
        for k in range(pu + 1, pv + 1):
            tabu_until[u, rank[seq[m, k]]] = until
    else:  # u passes those before it: they may not go back before u
        for k in range(pv, pu):
            tabu_until[seq[m, k], rank[u]] = until
    _shift(m, pu, pv, seq, count, pos, mprev, mnext)
    return pu


@njit(cache=_CACHE, nogil=True)
def tabu_search_n7(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    job: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    best_seq: np.ndarray,
    state: np.ndarray,
    rank: np.ndarray,
    tabu_until: np.ndarray,
    lower_bound: int,
    num_iterations: int,
    max_stall: int,
    tenure_min: int,
    tenure_max: int,
    restart: bool,
) -> int:
    """:func:`tabu_search` with neighbourhood N7 instead of N5, with the same ``state`` layout.

    A move shifts one operation of a critical block to the block's front or back or moves the first or last
    operation into the block (:func:`_moves_n7`); moves not sure to keep the graph acyclic are left out. The
    tabu memory is a matrix: ``tabu_until[x, rank[y]]`` (``rank[y]`` is ``y``'s index among the operations
    of its machine) forbids putting ``x`` before ``y`` again, and a move is tabu if it restores any pair it
    passes. A tabu move is taken only if its estimate beats the best makespan (aspiration).
    """
    n = dur.shape[0]
    mprev, mnext, pos, head, tail, order, indeg = _graph_arrays(n)
    path = np.empty(n, np.int64)
    move_u = np.empty(4 * n + 4, np.int64)
    move_v = np.empty(4 * n + 4, np.int64)
    width = seq.shape[1]
    seg = np.empty(width + 1, np.int64)
    seg_head = np.empty(width + 1, np.int64)
    link(seq, count, mprev, mnext, pos)
    cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    best = state[0]
    it = state[1]
    stall = state[2]
    rng = state[3]
    if best <= 0 or cur < best:
        best = cur
        best_seq[:, :] = seq[:, :]
    for _ in range(num_iterations):
        if best <= lower_bound:
            state[5] = 1
            break
        it += 1
        stall += 1
        rng = _next_random(rng)
        length = _critical_path(dur, jprev, mprev, head, tail, cur, path, (rng >> 33) & 0xFFFF)
        num = _moves_n7(path, length, mnext, move_u, move_v)
        best_k = -1
        best_e = 1 << 60
        any_k = -1
        for k in range(num):
            u = move_u[k]
            v = move_v[k]
            if not _acyclic_n7(u, v, dur, jprev, jnext, pos, head, tail):
                continue
            e = _estimate_n7(
                u, v, dur, jprev, jnext, machine, seq, pos, mprev, mnext, head, tail, seg, seg_head
            )
            if e >= best and _tabu_n7(u, v, machine, seq, pos, rank, tabu_until, it):
                if any_k < 0:
                    any_k = k
                continue
            if e < best_e:
                best_e = e
                best_k = k
        if best_k < 0:
            best_k = any_k
        if best_k < 0:
            blocks = False
            for i in range(length - 1):
                if mnext[path[i]] == path[i + 1]:
                    blocks = True
                    break
            if not blocks and cur <= best:
                # the critical path is one job's routing: nothing can be shorter
                state[5] = 1
                break
            stall = max_stall  # dead end: restart below
        else:
            u = move_u[best_k]
            v = move_v[best_k]
            rng = _next_random(rng)
            tenure = tenure_min + ((rng >> 33) % (tenure_max - tenure_min + 1))
            old = _move_n7(u, v, machine, seq, count, pos, mprev, mnext, rank, tabu_until, it + tenure)
            cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
            if cur < 0:  # cannot happen (the move passed _acyclic_n7); undo rather than trust it
                _shift(machine[u], pos[u], old, seq, count, pos, mprev, mnext)
                cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
                stall = max_stall
            elif cur < best:
                best = cur
                best_seq[:, :] = seq[:, :]
                stall = 0
        if stall >= max_stall:
            if not restart:
                state[6] = 1  # the caller picks the next start (elite pool, path relinking)
                break
            seq[:, :] = best_seq[:, :]
            link(seq, count, mprev, mnext, pos)
            tabu_until[:, :] = 0
            cur, rng = _kick(
                dur,
                jprev,
                jnext,
                machine,
                job,
                seq,
                pos,
                mprev,
                mnext,
                head,
                tail,
                order,
                indeg,
                path,
                move_u,
                move_v,
                rng,
            )
            stall = 0
    state[0] = best
    state[1] = it
    state[2] = stall
    state[3] = rng
    return best


@njit(cache=_CACHE, nogil=True)
def kick(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    job: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    rng: int,
) -> int:
    """A few random critical swaps applied to ``seq`` in place; returns the new random state."""
    n = dur.shape[0]
    mprev, mnext, pos, head, tail, order, indeg = _graph_arrays(n)
    path = np.empty(n, np.int64)
    move_u = np.empty(n, np.int64)
    move_v = np.empty(n, np.int64)
    link(seq, count, mprev, mnext, pos)
    _, rng = _kick(
        dur,
        jprev,
        jnext,
        machine,
        job,
        seq,
        pos,
        mprev,
        mnext,
        head,
        tail,
        order,
        indeg,
        path,
        move_u,
        move_v,
        rng,
    )
    return rng


@njit(cache=_CACHE, nogil=True)
def distance(seq_a: np.ndarray, seq_b: np.ndarray, count: np.ndarray, num_operations: int) -> int:
    """Pairs of operations that the two sequences order differently on their machine."""
    pos_b = np.empty(num_operations, np.int64)
    for m in range(seq_b.shape[0]):
        for k in range(count[m]):
            pos_b[seq_b[m, k]] = k
    d = 0
    for m in range(seq_a.shape[0]):
        c = count[m]
        for i in range(c):
            pi = pos_b[seq_a[m, i]]
            for j in range(i + 1, c):
                if pos_b[seq_a[m, j]] < pi:
                    d += 1
    return d


@njit(cache=_CACHE, nogil=True)
def relink(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    job: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    target: np.ndarray,
    num_steps: int,
    rng: int,
) -> int:
    """Walk ``seq`` (in place) ``num_steps`` adjacent swaps towards ``target``; returns the random state.

    Each step swaps an adjacent pair that ``target`` orders the other way round (the distance drops by one),
    the pair with the shortest estimated path through it (ties at random). A swap that closes a cycle is
    undone and the pair left out; the walk ends early when no pair is left.
    """
    n = dur.shape[0]
    mprev, mnext, pos, head, tail, order, indeg = _graph_arrays(n)
    cand_u = np.empty(n, np.int64)
    cand_v = np.empty(n, np.int64)
    cand_e = np.empty(n, np.int64)
    pos_t = np.empty(n, np.int64)
    for m in range(target.shape[0]):
        for k in range(count[m]):
            pos_t[target[m, k]] = k
    link(seq, count, mprev, mnext, pos)
    evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    for _ in range(num_steps):
        num = 0
        for m in range(seq.shape[0]):
            for k in range(count[m] - 1):
                x = seq[m, k]
                y = seq[m, k + 1]
                if pos_t[x] > pos_t[y] and job[x] != job[y]:
                    cand_u[num] = x
                    cand_v[num] = y
                    cand_e[num] = _estimate(x, y, dur, jprev, jnext, mprev, mnext, head, tail)
                    num += 1
        moved = False
        while num > 0 and not moved:
            best_k = 0
            ties = 1
            for k in range(1, num):
                if cand_e[k] < cand_e[best_k]:
                    best_k = k
                    ties = 1
                elif cand_e[k] == cand_e[best_k]:
                    ties += 1
                    rng = _next_random(rng)
                    if (rng >> 33) % ties == 0:
                        best_k = k
            u = cand_u[best_k]
            v = cand_v[best_k]
            _swap(u, v, machine, seq, pos, mprev, mnext)
            if evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg) >= 0:
                moved = True
            else:
                _swap(v, u, machine, seq, pos, mprev, mnext)
                evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
                num -= 1
                cand_u[best_k] = cand_u[num]
                cand_v[best_k] = cand_v[num]
                cand_e[best_k] = cand_e[num]
        if not moved:
            break
    return rng


@njit(cache=_CACHE, nogil=True)
def starts_of(
    dur: np.ndarray, jprev: np.ndarray, jnext: np.ndarray, seq: np.ndarray, count: np.ndarray, out: np.ndarray
) -> int:
    """Semi-active start times of the sequences into ``out``; returns the makespan (-1 on a cycle)."""
    n = dur.shape[0]
    mprev, mnext, pos, _, tail, order, indeg = _graph_arrays(n)
    link(seq, count, mprev, mnext, pos)
    return evaluate(dur, jprev, jnext, mprev, mnext, out, tail, order, indeg)
