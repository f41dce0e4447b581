//! Sorting indices, the one way every list check here orders things.

use std::cmp::Ordering;

/// `0..n` sorted by `cmp` (unstable; give `cmp` a tie-break for a total order). A list that is
/// already in order, as sealers write file lists, costs one pass. Every caller shares this one
/// instantiation of the sort (`&dyn`): each closure type would otherwise get its own copy of
/// the sort, about 4 KB of the app's wasm each.
pub(crate) fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if !order.windows(2).all(|w| cmp(w[0], w[1]) != Ordering::Greater) {
        order.sort_unstable_by(|&a, &b| cmp(a, b));
    }
    order
}

/// The first index (in `0..n` order) whose key an earlier index has, with the earliest index
/// holding that key; `by_key` is `0..n` sorted by (key, index) (from [`sorted_indices`]) and
/// `same` compares two indices' keys. Within a run of equal keys the indices ascend, so a run's
/// second index is its first repeat and its first index the earliest holder.
pub(crate) fn first_repeat(by_key: &[usize], same: &dyn Fn(usize, usize) -> bool) -> Option<(usize, usize)> {
    by_key.windows(2).filter(|w| same(w[0], w[1])).map(|w| (w[1], w[0])).min_by_key(|&(repeat, _)| repeat)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_and_keeps_sorted_input() {
        let v = [5, 3, 9, 3, 1];
        assert_eq!(super::sorted_indices(5, &|a, b| v[a].cmp(&v[b]).then(a.cmp(&b))), [4, 1, 3, 0, 2]);
        assert_eq!(super::sorted_indices(3, &|a, b| a.cmp(&b)), [0, 1, 2]);
        assert!(super::sorted_indices(0, &|a, b| a.cmp(&b)).is_empty());
    }

    #[test]
    fn first_repeat_is_the_first_in_index_order() {
        let v = [7, 3, 7, 3, 7];
        let by_key = super::sorted_indices(5, &|a, b| v[a].cmp(&v[b]).then(a.cmp(&b)));
        // Index 2 repeats 0's key before index 3 repeats 1's.
        assert_eq!(super::first_repeat(&by_key, &|a, b| v[a] == v[b]), Some((2, 0)));
        assert_eq!(super::first_repeat(&[0, 1], &|_, _| false), None);
    }
}
