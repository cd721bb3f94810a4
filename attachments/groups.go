package attachments

import (
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// Group is the file group an extension belongs to.
type Group struct {
	Name  string
	Image bool
}

// fileTypes are the accepted extensions, from [attachments] file_groups,
// add_file_groups and extension_maps (Apostrophe's defaults otherwise).
type fileTypes struct {
	groups  map[string]Group // by extension
	maps    map[string]string
	allowed string // "gif, jpg, ...", in the groups' order
}

func newFileTypes(cfg config.Attachments) fileTypes {
	ft := fileTypes{groups: map[string]Group{}, maps: cfg.ExtensionMaps}
	var all []string
	for _, name := range cfg.GroupOrder {
		g := cfg.FileGroups[name]
		for _, ext := range g.Extensions {
			ft.groups[ext] = Group{Name: name, Image: g.Image}
			all = append(all, ext)
		}
	}
	ft.allowed = strings.Join(all, ", ")
	return ft
}

// lookup maps ext and finds its group, or refuses it with Apostrophe's
// message.
func (ft fileTypes) lookup(ext string) (string, Group, error) {
	if to, ok := ft.maps[ext]; ok {
		ext = to
	}
	g, ok := ft.groups[ext]
	if !ok {
		return "", Group{}, apos.Errorf(apos.ErrInvalid, "File type %s was not accepted. Allowed extensions: %s", ext, ft.allowed)
	}
	return ext, g, nil
}

// errNotAccepted refuses a file whose content does not match its
// extension, or that cannot be read or made safe (Apostrophe's message).
var errNotAccepted = apos.Errorf(apos.ErrInvalid,
	"File was not accepted. It may be corrupted or its content may not match its file extension.")
