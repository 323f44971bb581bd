// Reference generator (not part of the build): ITK's LaplacianRecursiveGaussianImageFilter with
// NormalizeAcrossScale on, the filter PyRadiomics' getLoGImage runs through SimpleITK.
// Reads a raw float32 volume (x fastest), writes the filtered raw float32 volume.
// Usage: log_itk IN OUT NX NY NZ SX SY SZ SIGMA
// Build (Debian: libinsighttoolkit5-dev): see log_reference.py, which builds and runs it.
#include <itkImage.h>
#include <itkImageRegionConstIterator.h>
#include <itkImageRegionIterator.h>
#include <itkLaplacianRecursiveGaussianImageFilter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 10) {
    std::fprintf(stderr, "usage: log_itk IN OUT NX NY NZ SX SY SZ SIGMA\n");
    return 2;
  }
  using Image = itk::Image<float, 3>;
  Image::SizeType size;
  Image::SpacingType spacing;
  for (int d = 0; d < 3; ++d) {
    size[d] = std::strtoul(argv[3 + d], nullptr, 10);
    spacing[d] = std::strtod(argv[6 + d], nullptr);
  }
  const double sigma = std::strtod(argv[9], nullptr);
  const std::size_t n = size[0] * size[1] * size[2];
  std::vector<float> buf(n);
  std::ifstream in(argv[1], std::ios::binary);
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n * sizeof(float)));
  if (!in) { std::fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }

  auto image = Image::New();
  Image::RegionType region;
  region.SetSize(size);
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->Allocate();
  std::size_t t = 0;
  for (itk::ImageRegionIterator<Image> it(image, region); !it.IsAtEnd(); ++it) it.Set(buf[t++]);  // x fastest

  auto log = itk::LaplacianRecursiveGaussianImageFilter<Image, Image>::New();
  log->SetInput(image);
  log->SetSigma(sigma);
  log->SetNormalizeAcrossScale(true);
  log->SetNumberOfWorkUnits(1);
  log->Update();

  t = 0;
  for (itk::ImageRegionConstIterator<Image> it(log->GetOutput(), region); !it.IsAtEnd(); ++it) buf[t++] = it.Get();
  std::ofstream out(argv[2], std::ios::binary);
  out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n * sizeof(float)));
  return out ? 0 : 1;
}
