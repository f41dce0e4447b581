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

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_and_keeps_sorted_input() {
        let v = [5, 3, 9, 3, 1];
        assert_eq!(super::sorted_indices(5, &|a, b| v[a].cmp(&v[b]).then(a.cmp(&b))), [4, 1, 3, 0, 2]);
        assert_eq!(super::sorted_indices(3, &|a, b| a.cmp(&b)), [0, 1, 2]);
        assert!(super::sorted_indices(0, &|a, b| a.cmp(&b)).is_empty());
    }
}
