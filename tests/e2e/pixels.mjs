// Statistics of a screenshot, decoded in the page itself (no image library needed in Node).
export async function screenshotStats(page, selector) {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, image.width, image.height);
    let sum = 0, sumSq = 0, bright = 0, yellow = 0, green = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      const lum = 0.299 * r + 0.587 * g + 0.114 * b;
      sum += lum; sumSq += lum * lum;
      if (lum > 60) bright++;
      if (r > 150 && g > 130 && b < 90) yellow++;
      if (g > r + 40 && g > b + 40) green++;
    }
    const mean = sum / n;
    return { width: image.width, height: image.height, mean, std: Math.sqrt(sumSq / n - mean * mean),
      brightFraction: bright / n, yellowFraction: yellow / n, greenFraction: green / n };
  }, png.toString('base64'));
}
