package attachments

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Storage keeps the files in an S3-compatible bucket, through minio-go
// (MinIO's client: small, kept up, and speaks to any S3-compatible
// service, AWS included, with path-style or virtual-host requests).
type s3Storage struct {
	client *minio.Client
	bucket string
	prefix string
}

// newS3Storage connects to the bucket and checks that it exists.
func newS3Storage(ctx context.Context, c config.S3) (*s3Storage, error) {
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.Secure,
		Region: c.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: bucket %q: %w", c.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3: no bucket %q at %s", c.Bucket, c.Endpoint)
	}
	return &s3Storage{client: client, bucket: c.Bucket, prefix: c.Prefix}, nil
}

func (s *s3Storage) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if !safeKey(key) {
		return apos.ErrInvalid
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{})
	return err
}

// Get opens the object of key; minio's object reads ranges lazily, so a
// Range request fetches only its bytes.
func (s *s3Storage) Get(ctx context.Context, key string) (File, error) {
	if !safeKey(key) {
		return nil, apos.ErrNotFound
	}
	// The object outlives the request's context: it is read while the
	// answer is sent.
	obj, err := s.client.GetObject(context.WithoutCancel(ctx), s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, apos.ErrNotFound
		}
		return nil, err
	}
	return s3File{obj, st.Size, st.LastModified}, nil
}

type s3File struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (f s3File) Size() int64        { return f.size }
func (f s3File) ModTime() time.Time { return f.mod }
