"""Compiled hot loop of the flexible job-shop tabu search (numba, imported lazily by :mod:`.flexible`).

The graph is the one of :mod:`.kernels` (``dur``, ``jprev``/``jnext``, ``seq[m, :count[m]]``), except that
an operation's machine and duration change: ``machine[x]`` and ``dur[x]`` are the current mode, and the
eligible modes of ``x`` are ``opt_machine[opt_start[x]:opt_start[x + 1]]`` with ``opt_dur``.

The neighbourhood follows Mastrolilli and Gambardella (2000): take an operation ``v`` on a critical path
and reinsert it on any of its eligible machines (its own included) at any position that the heads and
tails show cannot close a cycle: the operation before it must not be reachable from ``v``'s job successor
and the one after it must not reach ``v``'s job predecessor. A move is ranked by an estimate of the
makespan after it: the longest path through ``v`` at its new place (current heads and tails of its new
neighbours) and the path that joins ``v``'s old machine neighbours. The chosen move is applied and
evaluated exactly; a move that would nevertheless close a cycle is undone, so every visited schedule is
feasible. The tabu list forbids putting an operation back on the machine it left for a random tenure
(aspiration: an estimate below the best makespan). After a run without improvement the search restarts
from the best schedule with a few random moves.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.scheduling.solvers.tabu.kernels import (
    _critical_path,
    _graph_arrays,
    _next_random,
    evaluate,
    link,
)

_CACHE = True
_BIG = 1 << 60


@njit(cache=_CACHE, nogil=True)
def _select(
    path: np.ndarray,
    length: int,
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    opt_start: np.ndarray,
    opt_machine: np.ndarray,
    opt_dur: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    mprev: np.ndarray,
    mnext: np.ndarray,
    pos: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    tabu_until: np.ndarray,
    it: int,
    best: int,
    rng: int,
    pick_random: bool,
    out: np.ndarray,
) -> int:
    """Choose a move into ``out`` = [operation, option index, position, estimate]; returns the random state.

    ``out[0]`` is -1 when no move exists. With ``pick_random`` every candidate is equally likely and the
    tabu list is ignored; otherwise the best estimate among the allowed moves wins (random among ties).
    """
    best_e = _BIG
    ties = 0
    fallback_e = _BIG  # best tabu move: taken only when every move is tabu
    out[0] = -1
    fb_v = -1
    fb_o = -1
    fb_p = -1
    seen = 0
    for i in range(length):
        v = path[i]
        jp = jprev[v]
        js = jnext[v]
        r_job = head[jp] + dur[jp] if jp >= 0 else 0
        q_job = tail[js] + dur[js] if js >= 0 else 0
        limit_head = head[js] + dur[js] if js >= 0 else _BIG
        limit_tail = tail[jp] + dur[jp] if jp >= 0 else _BIG
        # the path that joins v's old machine neighbours once v has left
        pm = mprev[v]
        nm = mnext[v]
        rest = 0
        if pm >= 0 and nm >= 0:
            rest = head[pm] + dur[pm] + dur[nm] + tail[nm]
        own = machine[v]
        for o in range(opt_start[v], opt_start[v + 1]):
            k = opt_machine[o]
            p_v = opt_dur[o]
            forbidden = tabu_until[v, k] > it
            c = count[k]
            # gaps 0..reduced of k's sequence without v: a before the gap, b after it
            reduced = c - 1 if k == own else c
            skip = pos[v] if k == own else c + 1
            for p in range(reduced + 1):
                a = -1
                if p > 0:
                    a = seq[k, p - 1 if p - 1 < skip else p]
                b = -1
                if p < reduced:
                    b = seq[k, p if p < skip else p + 1]
                if a >= 0 and (a == js or head[a] >= limit_head):
                    break  # heads grow along the sequence: later gaps are no better
                if b >= 0 and (b == jp or tail[b] >= limit_tail):
                    continue  # b reaches v's job predecessor: a cycle
                if p == skip:
                    continue  # the gap v is in now
                r = r_job
                if a >= 0 and head[a] + dur[a] > r:
                    r = head[a] + dur[a]
                q = q_job
                if b >= 0 and tail[b] + dur[b] > q:
                    q = tail[b] + dur[b]
                e = r + p_v + q
                if rest > e:
                    e = rest
                if pick_random:
                    seen += 1
                    rng = _next_random(rng)
                    if (rng >> 33) % seen == 0:
                        out[0] = v
                        out[1] = o
                        out[2] = p
                        out[3] = e
                elif forbidden and e >= best:
                    if e < fallback_e:
                        fallback_e = e
                        fb_v = v
                        fb_o = o
                        fb_p = p
                elif e < best_e:
                    best_e = e
                    ties = 1
                    out[0] = v
                    out[1] = o
                    out[2] = p
                    out[3] = e
                elif e == best_e:
                    ties += 1
                    rng = _next_random(rng)
                    if (rng >> 33) % ties == 0:
                        out[0] = v
                        out[1] = o
                        out[2] = p
    if out[0] < 0 and fb_v >= 0:
        out[0] = fb_v
        out[1] = fb_o
        out[2] = fb_p
        out[3] = fallback_e
    return rng


@njit(cache=_CACHE, nogil=True)
def _remove(v: int, k: int, seq: np.ndarray, count: np.ndarray) -> int:
    """Take v out of machine k's sequence; returns the index it had."""
    c = count[k]
    at = -1
    for i in range(c):
        if seq[k, i] == v:
            at = i
            break
    for i in range(at, c - 1):
        seq[k, i] = seq[k, i + 1]
    seq[k, c - 1] = -1
    count[k] = c - 1
    return at


@njit(cache=_CACHE, nogil=True)
def _insert(v: int, k: int, p: int, seq: np.ndarray, count: np.ndarray) -> None:
    """Put v at index p of machine k's sequence."""
    c = count[k]
    for i in range(c, p, -1):
        seq[k, i] = seq[k, i - 1]
    seq[k, p] = v
    count[k] = c + 1


@njit(cache=_CACHE, nogil=True)
def _save(
    seq: np.ndarray,
    count: np.ndarray,
    machine: np.ndarray,
    dur: np.ndarray,
    best_seq: np.ndarray,
    best_count: np.ndarray,
    best_machine: np.ndarray,
    best_dur: np.ndarray,
) -> None:
    best_seq[:, :] = seq[:, :]
    best_count[:] = count[:]
    best_machine[:] = machine[:]
    best_dur[:] = dur[:]


@njit(cache=_CACHE, nogil=True)
def flexible_tabu_search(
    dur: np.ndarray,
    jprev: np.ndarray,
    jnext: np.ndarray,
    machine: np.ndarray,
    opt_start: np.ndarray,
    opt_machine: np.ndarray,
    opt_dur: np.ndarray,
    seq: np.ndarray,
    count: np.ndarray,
    best_seq: np.ndarray,
    best_count: np.ndarray,
    best_machine: np.ndarray,
    best_dur: np.ndarray,
    state: np.ndarray,
    tabu_until: np.ndarray,
    lower_bound: int,
    num_iterations: int,
    max_stall: int,
    tenure_min: int,
    tenure_max: int,
) -> int:
    """Run ``num_iterations`` iterations from the current assignment and sequences; keeps the best.

    ``state`` carries what survives between calls: [0] best makespan, [1] iteration counter, [2] iterations
    since the last improvement, [3] random state, [4] unused, [5] 1 once the best meets ``lower_bound``.
    Returns the best makespan.
    """
    n = dur.shape[0]
    mprev, mnext, pos, head, tail, order, indeg = _graph_arrays(n)
    path = np.empty(n, np.int64)
    move = np.empty(4, np.int64)
    link(seq, count, mprev, mnext, pos)
    cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
    best = state[0]
    it = state[1]
    stall = state[2]
    rng = state[3]
    if best <= 0 or cur < best:
        best = cur
        _save(seq, count, machine, dur, best_seq, best_count, best_machine, best_dur)
    for _ in range(num_iterations):
        if best <= lower_bound:
            state[5] = 1
            break
        it += 1
        stall += 1
        rng = _next_random(rng)
        length = _critical_path(dur, jprev, mprev, head, tail, cur, path, (rng >> 33) & 0xFFFF)
        rng = _select(
            path, length, dur, jprev, jnext, machine, opt_start, opt_machine, opt_dur, seq, count,
            mprev, mnext, pos, head, tail, tabu_until, it, best, rng, False, move,
        )  # fmt: skip
        if move[0] < 0:
            stall = max_stall  # nothing to move: restart below
        else:
            v = move[0]
            o = move[1]
            k_old = machine[v]
            d_old = dur[v]
            at = _remove(v, k_old, seq, count)
            k = opt_machine[o]
            _insert(v, k, move[2], seq, count)
            machine[v] = k
            dur[v] = opt_dur[o]
            link(seq, count, mprev, mnext, pos)
            new = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
            rng = _next_random(rng)
            tenure = tenure_min + ((rng >> 33) % (tenure_max - tenure_min + 1))
            if new < 0:
                # the estimate's safety test missed a cycle: undo, and keep v off k for a while
                _remove(v, k, seq, count)
                _insert(v, k_old, at, seq, count)
                machine[v] = k_old
                dur[v] = d_old
                link(seq, count, mprev, mnext, pos)
                cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
                tabu_until[v, k] = it + tenure
            else:
                cur = new
                tabu_until[v, k_old] = it + tenure
                if cur < best:
                    best = cur
                    _save(seq, count, machine, dur, best_seq, best_count, best_machine, best_dur)
                    stall = 0
        if stall >= max_stall:
            # restart from the best schedule with a few random moves of critical operations
            seq[:, :] = best_seq[:, :]
            count[:] = best_count[:]
            machine[:] = best_machine[:]
            dur[:] = best_dur[:]
            tabu_until[:, :] = 0
            link(seq, count, mprev, mnext, pos)
            cur = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
            rng = _next_random(rng)
            kicks = 1 + (rng >> 33) % 3
            for _k in range(kicks):
                rng = _next_random(rng)
                length = _critical_path(dur, jprev, mprev, head, tail, cur, path, (rng >> 33) & 0xFFFF)
                rng = _select(
                    path, length, dur, jprev, jnext, machine, opt_start, opt_machine, opt_dur, seq,
                    count, mprev, mnext, pos, head, tail, tabu_until, it, best, rng, True, move,
                )  # fmt: skip
                if move[0] < 0:
                    break
                v = move[0]
                o = move[1]
                k_old = machine[v]
                d_old = dur[v]
                at = _remove(v, k_old, seq, count)
                k = opt_machine[o]
                _insert(v, k, move[2], seq, count)
                machine[v] = k
                dur[v] = opt_dur[o]
                link(seq, count, mprev, mnext, pos)
                new = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
                if new < 0:
                    _remove(v, k, seq, count)
                    _insert(v, k_old, at, seq, count)
                    machine[v] = k_old
                    dur[v] = d_old
                    link(seq, count, mprev, mnext, pos)
                    new = evaluate(dur, jprev, jnext, mprev, mnext, head, tail, order, indeg)
                cur = new
            stall = 0
    state[0] = best
    state[1] = it
    state[2] = stall
    state[3] = rng
    return best
