// Cells of the clinical tables in ../shared/data as the model-fitting scripts read them: the tables mark an unknown
// value in several ways (empty, NA, NaN, "Not Available", "[Not Available]"), and every one becomes NaN.
export const isMissing = (text) => text === undefined || text === '' || /^(NA|NaN|Not Available|\[Not Available\])$/i.test(text);

export const numberOrNaN = (text) => (isMissing(text) ? NaN : Number(text));
