package attachments

import (
	"context"
	"image"
	"slices"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
)

// crop serves POST /api/v1/@apostrophecms/attachment/crop
// (docs/api-rules.md#197): {_id, crop:{top,left,width,height},
// annotate?}. It makes the cropped image and its sizes once; a crop
// already made is a no-op. It answers true, or the attachment annotated
// with the crop when annotate is truthy.
func (s *Service) crop(r *endpoint.Request) ([]byte, error) {
	if r.Who.Role < apos.Contributor {
		return forbidden(r)
	}
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	id := body.Get("_id")
	c, ok := readCrop(body.Get("crop"))
	if id.Type != gjson.String || !validID(id.Str) || !ok {
		return nil, apos.ErrInvalid
	}
	a, err := s.meta.get(r.Context, id.Str)
	if err != nil {
		return nil, err
	}
	if !croppable[a.Extension] {
		return nil, apos.Errorf(apos.ErrInvalid, "%s files cannot be cropped, do not present cropping UI for this type", a.Extension)
	}
	if c.Width < 1 || c.Height < 1 || c.Left+c.Width > a.Width || c.Top+c.Height > a.Height {
		return nil, apos.Errorf(apos.ErrInvalid, "The crop is not inside the %d×%d image.", a.Width, a.Height)
	}
	if !slices.Contains(a.Crops, c) {
		if a, err = s.makeCrop(r.Context, a, c); err != nil {
			return nil, err
		}
	}
	if !body.Get("annotate").Bool() {
		return []byte("true"), nil
	}
	return a.annotate(s.base, &c, Group{Name: a.Group, Image: true}), nil
}

// readCrop reads the four integers of a crop, each clamped to 0–10000
// as Apostrophe launders them; all four are required.
func readCrop(v gjson.Result) (Crop, bool) {
	if !v.IsObject() {
		return Crop{}, false
	}
	var n [4]int
	for i, k := range []string{"top", "left", "width", "height"} {
		f := v.Get(k)
		if f.Type != gjson.Number && f.Type != gjson.String {
			return Crop{}, false
		}
		n[i] = int(min(max(f.Int(), 0), 10000))
	}
	return Crop{Top: n[0], Left: n[1], Width: n[2], Height: n[3]}, true
}

// makeCrop makes the files of crop c of a (the cropped original and its
// sizes) and records the crop.
func (s *Service) makeCrop(ctx context.Context, a *Attachment, c Crop) (*Attachment, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	f, err := s.files.Get(ctx, a.key(nil, ""))
	if err != nil {
		return nil, err
	}
	img, err := decode(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return nil, apos.ErrInvalid
	}
	cropped := sub.SubImage(image.Rect(c.Left, c.Top, c.Left+c.Width, c.Top+c.Height))
	original, err := encode(cropped, a.Extension)
	if err != nil {
		return nil, err
	}
	sized, err := scaleAll(cropped, a.Extension, original)
	if err != nil {
		return nil, err
	}
	fctx, cancel := context.WithTimeout(context.Background(), 4*s.timeout)
	defer cancel()
	if err := s.putSizes(fctx, a, &c, append(sized, rendition{"", original})); err != nil {
		return nil, err
	}
	err = s.meta.update(fctx, a.ID, func(cur *Attachment) error {
		if !slices.Contains(cur.Crops, c) {
			cur.Crops = append(cur.Crops, c)
		}
		a = cur
		return nil
	})
	return a, err
}
