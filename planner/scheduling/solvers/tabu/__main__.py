"""``python -m planner.scheduling.solvers.tabu``: compile the tabu kernels into numba's cache."""

from planner.scheduling.solvers.tabu import available, compile_kernels

if __name__ == "__main__":
    if available():
        print(f"tabu kernels compiled or loaded in {compile_kernels():.1f} s")
    else:
        print("numba is not installed: the tabu search is off, nothing to compile")
