// The same page without otaseal: the baseline the matrix subtracts to get otaseal's share.
window.__otaseal = { blank: true };
