//! Bring your own preferences: pasted or dropped matrices, win counts, comparison lists (issue 13). To be written.
