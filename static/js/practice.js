/* Practice (issue 13 items 8-12) */
